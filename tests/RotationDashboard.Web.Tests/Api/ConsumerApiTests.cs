using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Api;

/// <summary><c>GET /api/v1/consumer/secrets/{key}</c>: the contract the client library reads, errors, caching and audit.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class ConsumerApiTests(ApiAppFactory app)
{
    [Fact]
    public async Task A_read_returns_the_contract_shape_and_follows_a_manual_change_at_once()
    {
        var projectId = await app.ProjectIdAsync();
        await app.EnsureFolderAsync("staging", "/consumer-shape");
        var store = app.Get<SecretStoreService>();
        var folder = (await store.FindFolderAsync(projectId, "staging", "/consumer-shape"))!;
        var created = await store.CreateSecretAsync(folder.Id, "SHAPE_SECRET", "first-value+with/symbols=", ApiAppFactory.Admin.Actor);
        Assert.True(created.Succeeded, created.ToString());
        var token = await app.IssueTokenAsync("shape-reader", new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "staging", "/consumer-shape"));
        using var client = app.Client(token);
        var url = $"api/v1/consumer/secrets/SHAPE_SECRET?projectId={projectId}&environment=staging&secretPath=%2Fconsumer-shape";

        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("\"value\":\"first-value+with/symbols=\"", text, StringComparison.Ordinal); // readable, not \u002B
        var secret = JsonDocument.Parse(text).RootElement.GetProperty("secret");
        Assert.Equal(["key", "projectId", "environment", "secretPath", "current", "next", "updatedAt"], secret.EnumerateObject().Select(p => p.Name));
        Assert.Equal("SHAPE_SECRET", secret.GetProperty("key").GetString());
        Assert.Equal(projectId, secret.GetProperty("projectId").GetGuid());
        Assert.Equal(("staging", "/consumer-shape"), (secret.GetProperty("environment").GetString(), secret.GetProperty("secretPath").GetString()));
        var current = secret.GetProperty("current");
        Assert.Equal(["value", "versionId", "version", "createdAt"], current.EnumerateObject().Select(p => p.Name));
        Assert.Equal("first-value+with/symbols=", current.GetProperty("value").GetString());
        Assert.Equal(1, current.GetProperty("version").GetInt32());
        Assert.NotEqual(Guid.Empty, current.GetProperty("versionId").GetGuid());
        Assert.True(current.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(JsonValueKind.Null, secret.GetProperty("next").ValueKind);
        Assert.EndsWith("Z", secret.GetProperty("updatedAt").GetString());

        var update = await store.UpdateSecretAsync(created.Value.Id, new SecretUpdate(NewValue: "second-value"), ApiAppFactory.Admin.Actor);
        Assert.True(update.Succeeded, update.ToString());
        var after = await (await client.GetAsync(url)).JsonAsync();
        Assert.Equal("second-value", after.GetProperty("secret").GetProperty("current").GetProperty("value").GetString());
        Assert.Equal(2, after.GetProperty("secret").GetProperty("current").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Missing_secrets_are_404_and_bad_queries_400_problem_details()
    {
        var projectId = await app.ProjectIdAsync();
        using var client = app.Client();

        var missing = await (await client.GetAsync($"api/v1/consumer/secrets/NO_SUCH_SECRET?projectId={projectId}&environment=dev&secretPath=/")).AssertProblemAsync(404);
        Assert.Contains("NO_SUCH_SECRET", missing.GetProperty("detail").GetString());
        await (await client.GetAsync($"api/v1/consumer/secrets/X?projectId={projectId}&environment=nope&secretPath=/")).AssertProblemAsync(404);

        var bad = await (await client.GetAsync("api/v1/consumer/secrets/X?projectId=not-a-uuid&secretPath=/../x")).AssertProblemAsync(400);
        var errors = bad.GetProperty("errors");
        Assert.True(errors.TryGetProperty("projectId", out _));
        Assert.True(errors.TryGetProperty("environment", out _));
        Assert.True(errors.TryGetProperty("secretPath", out _));
    }

    [Fact]
    public async Task Reads_are_audited_once_per_token_and_secret_never_with_the_value()
    {
        var projectId = await app.ProjectIdAsync();
        await app.EnsureFolderAsync("dev", "/consumer-audit");
        var store = app.Get<SecretStoreService>();
        var folder = (await store.FindFolderAsync(projectId, "dev", "/consumer-audit"))!;
        var created = await store.CreateSecretAsync(folder.Id, "AUDITED_SECRET", "audited-value-9f3", ApiAppFactory.Admin.Actor);
        Assert.True(created.Succeeded, created.ToString());
        var scope = new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/consumer-audit");
        var first = await app.IssueTokenAsync("audit-one", scope);
        var second = await app.IssueTokenAsync("audit-two", scope);
        var url = $"api/v1/consumer/secrets/AUDITED_SECRET?projectId={projectId}&environment=dev&secretPath=/consumer-audit";

        foreach (var token in new[] { first, first, first, second, first, second })
        {
            using var client = app.Client(token);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        }

        var events = await app.Get<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.SecretConsumerRead, Target = created.Value.Id.ToString() });
        Assert.Equal(2, events.TotalCount);
        Assert.All(events.Items, e =>
        {
            Assert.Equal(ActorType.Token, e.ActorType);
            Assert.Equal(AuditOutcome.Success, e.Outcome);
            Assert.Equal("AUDITED_SECRET", e.TargetName);
            Assert.DoesNotContain("audited-value", e.Details, StringComparison.Ordinal);
        });
        Assert.Equal(2, events.Items.Select(e => e.ActorName).Distinct().Count());
    }
}
