using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Tests.Api;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Rotations.Bulk;

/// <summary>The bulk endpoints over HTTP: permissions, problem details, and a bulk rotation followed to its summary.</summary>
[Collection(ApiAppCollection.Name)]
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class BulkRotationApiTests(ApiAppFactory app)
{
    private const string Base = "api/v2/secret-rotations";

    [Fact]
    public async Task A_bulk_rotation_started_over_the_api_is_followed_to_its_summary()
    {
        await BulkTestRotations.CreateAsync(app, "api-bulk-a");
        await BulkTestRotations.CreateAsync(app, "api-bulk-b");
        using var client = app.Client();

        var preview = await (await client.PostJsonTextAsync($"{Base}/bulk-rotate/preview", """{"filter": {"search": "api-bulk-"}}""")).JsonAsync();
        Assert.Equal(2, preview.GetProperty("count").GetInt32());

        var response = await client.PostJsonTextAsync($"{Base}/bulk-rotate", """{"filter": {"search": "api-bulk-", "status": "all"}, "expectedCount": 2}""");
        var started = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, started.ToString());
        var id = started.GetProperty("id").GetString();
        Assert.Equal(2, started.GetProperty("total").GetInt32());

        JsonElement summary;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(100);
            summary = await (await client.GetAsync($"{Base}/bulk-operations/{id}")).JsonAsync();
        }
        while (summary.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline);

        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(2, summary.GetProperty("succeeded").GetInt32());
        Assert.All(summary.GetProperty("items").EnumerateArray(), item => Assert.Equal("succeeded", item.GetProperty("state").GetString()));
        Assert.False(string.IsNullOrEmpty(summary.GetProperty("startedBy").GetString()));
    }

    [Fact]
    public async Task A_set_that_changed_since_it_was_confirmed_is_a_conflict_and_an_empty_request_a_validation_problem()
    {
        await BulkTestRotations.CreateAsync(app, "api-confirm-a");
        using var client = app.Client();
        await (await client.PostJsonTextAsync($"{Base}/bulk-rotate", """{"filter": {"search": "api-confirm-"}, "expectedCount": 5}""")).AssertProblemAsync(409);
        var problem = await (await client.PostJsonTextAsync($"{Base}/bulk-rotate", "{}")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("connectionId", out _), problem.ToString());
        await (await client.GetAsync($"{Base}/bulk-operations/{Guid.NewGuid()}")).AssertProblemAsync(404);
    }

    [Fact]
    public async Task Tokens_without_the_rotate_or_create_permission_are_refused()
    {
        await BulkTestRotations.CreateAsync(app, "api-scoped-a");
        var reader = await app.IssueTokenAsync("bulk-reader", new ApiTokenScope(ApiPermissions.RotationsRead));
        var elsewhere = await app.IssueTokenAsync("bulk-elsewhere", new ApiTokenScope(ApiPermissions.RotationsWrite, ProjectId: Guid.NewGuid()),
            new ApiTokenScope(ApiPermissions.RotationsRead));
        var connectionId = await app.SandboxConnectionIdAsync();
        var onboard = $$"""{"connectionId": "{{connectionId}}", "clientIds": ["x"], "projectId": "{{await app.DefaultProjectIdAsync()}}", "environment": "dev"}""";

        using (var anonymous = app.Client(token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonTextAsync($"{Base}/bulk-rotate", """{"filter": {"search": "api-scoped-"}}""")).StatusCode);
        }

        using (var client = app.Client(reader))
        {
            await (await client.PostJsonTextAsync($"{Base}/bulk-rotate", """{"filter": {"search": "api-scoped-"}}""")).AssertProblemAsync(403);
            await (await client.PostJsonTextAsync($"{Base}/bulk-onboard", onboard)).AssertProblemAsync(403);
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonTextAsync($"{Base}/bulk-rotate/preview", """{"filter": {"search": "api-scoped-"}}""")).StatusCode);
        }

        using (var client = app.Client(elsewhere))
        {
            // rotations:write, but for another project: none of the set may be rotated, so nothing starts.
            var problem = await (await client.PostJsonTextAsync($"{Base}/bulk-rotate", """{"filter": {"search": "api-scoped-"}}""")).AssertProblemAsync(403);
            Assert.Contains("rotate", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
            await (await client.PostJsonTextAsync($"{Base}/bulk-onboard", onboard)).AssertProblemAsync(403);
        }
    }
}
