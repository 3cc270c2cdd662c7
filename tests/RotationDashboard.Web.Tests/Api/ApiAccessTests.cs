using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Tests.Api;

/// <summary>Who may call what: no token 401, a token without the permission 403, a path-scoped secrets:read token only its path.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ApiAppCollection.Name)]
public sealed class ApiAccessTests(ApiAppFactory app)
{
    private const string Rotations = "api/v2/secret-rotations";

    [Fact]
    public async Task Without_a_valid_token_every_api_route_answers_401_problem_details()
    {
        var projectId = await app.ProjectIdAsync();
        var id = Guid.NewGuid();
        foreach (var token in new[] { null, ApiToken.ValuePrefix + "unknown-token-value", "not-even-our-format" })
        {
            using var client = app.Client(token);
            foreach (var (method, path) in new[]
                     {
                         ("GET", $"{Rotations}?projectId={projectId}"),
                         ("GET", $"{Rotations}/options"),
                         ("POST", $"{Rotations}/auth0-client-secret"),
                         ("GET", $"{Rotations}/auth0-client-secret/{id}"),
                         ("PATCH", $"{Rotations}/auth0-client-secret/{id}"),
                         ("DELETE", $"{Rotations}/auth0-client-secret/{id}"),
                         ("POST", $"{Rotations}/auth0-client-secret/{id}/rotate-secrets"),
                         ("GET", $"{Rotations}/auth0-client-secret/{id}/generated-credentials"),
                         ("GET", $"{Rotations}/auth0-private-key-jwt/{id}/runs"),
                         ("GET", $"api/v1/consumer/secrets/AUTH0_CLIENT_SECRET?projectId={projectId}&environment=dev&secretPath=/"),
                         ("GET", "api/v1/projects"),
                     })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var response = await client.SendAsync(request);
                var problem = await response.AssertProblemAsync(401);
                Assert.Contains("Bearer", problem.GetProperty("detail").GetString());
            }
        }
    }

    [Fact]
    public async Task Sandbox_management_calls_with_their_own_bearer_tokens_are_not_logged_as_failed_api_token_sign_ins()
    {
        using var client = app.Client();
        var connectionId = await app.SandboxConnectionIdAsync();
        var marker = app.Logs.Entries.Count;

        // Listing the tenant's applications makes the dashboard call the sandbox's Management API with a sandbox token.
        var listed = await client.GetAsync($"api/v1/app-connections/auth0/{connectionId}/clients?refresh=true");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(app.SandboxRequests.All, r => r.StartsWith("GET /api/v2/clients", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Entries.Skip(marker), e => e.Message.Contains("ApiToken was not authenticated", StringComparison.Ordinal));

        // An unknown token on our API is still worth a log line.
        var unknownToken = await app.Client(ApiToken.ValuePrefix + "unknown-token-value").GetAsync("api/v1/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, unknownToken.StatusCode);
        Assert.Contains(app.Logs.Entries.Skip(marker), e => e.Message.Contains("ApiToken was not authenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_without_the_permission_gets_403_and_reads_need_read_writes_and_reveals_need_write()
    {
        var projectId = await app.ProjectIdAsync();
        var reader = await app.IssueTokenAsync("rotations-reader", new ApiTokenScope(ApiPermissions.RotationsRead));
        var connections = await app.IssueTokenAsync("connections-reader", new ApiTokenScope(ApiPermissions.ConnectionsRead));
        using var readerClient = app.Client(reader);
        using var connectionsClient = app.Client(connections);
        var existing = await FirstRotationIdAsync(projectId);

        Assert.Equal(HttpStatusCode.OK, (await readerClient.GetAsync($"{Rotations}?projectId={projectId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readerClient.GetAsync($"{Rotations}/options")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readerClient.GetAsync($"{Rotations}/auth0-client-secret/{existing}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readerClient.GetAsync($"{Rotations}/auth0-client-secret/{existing}/runs")).StatusCode);

        var rotationsBefore = await app.RotationCountAsync();
        await (await readerClient.PostJsonTextAsync($"{Rotations}/auth0-client-secret", "{}")).AssertProblemAsync(403);
        await (await readerClient.PatchJsonTextAsync($"{Rotations}/auth0-client-secret/{existing}", """{"description": "x"}""")).AssertProblemAsync(403);
        await (await readerClient.DeleteAsync($"{Rotations}/auth0-client-secret/{existing}")).AssertProblemAsync(403);
        await (await readerClient.PostAsync($"{Rotations}/auth0-client-secret/{existing}/rotate-secrets", null)).AssertProblemAsync(403);
        await (await readerClient.GetAsync($"{Rotations}/auth0-client-secret/{existing}/generated-credentials")).AssertProblemAsync(403);
        await (await readerClient.GetAsync($"api/v1/consumer/secrets/AUTH0_CLIENT_SECRET?projectId={projectId}&environment=dev&secretPath=/")).AssertProblemAsync(403);
        Assert.Equal(rotationsBefore, await app.RotationCountAsync());

        await (await connectionsClient.GetAsync($"{Rotations}?projectId={projectId}")).AssertProblemAsync(403);
        await (await connectionsClient.GetAsync($"{Rotations}/auth0-client-secret/{existing}")).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.OK, (await connectionsClient.GetAsync("api/v1/app-connections/auth0")).StatusCode);
    }

    [Fact]
    public async Task A_path_scoped_secrets_read_token_reads_its_path_and_below_and_nothing_else()
    {
        var projectId = await app.ProjectIdAsync();
        await app.EnsureFolderAsync("dev", "/scoped/below");
        await app.EnsureFolderAsync("dev", "/elsewhere");
        await app.EnsureFolderAsync("prod", "/scoped");
        var store = app.Get<Web.Services.Secrets.SecretStoreService>();
        foreach (var (environment, path) in new[] { ("dev", "/scoped"), ("dev", "/scoped/below"), ("dev", "/elsewhere"), ("prod", "/scoped") })
        {
            var folder = await store.FindFolderAsync(projectId, environment, path);
            if ((await store.ListSecretsAsync(folder!.Id)).All(s => s.Key != "SCOPED_SECRET"))
            {
                Assert.True((await store.CreateSecretAsync(folder.Id, "SCOPED_SECRET", $"value-{environment}-{path}", ApiAppFactory.Admin.Actor)).Succeeded);
            }
        }

        var token = await app.IssueTokenAsync("scoped-reader", new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/scoped"));
        using var client = app.Client(token);
        string Url(string environment, string path, Guid? project = null) =>
            $"api/v1/consumer/secrets/SCOPED_SECRET?projectId={project ?? projectId}&environment={environment}&secretPath={Uri.EscapeDataString(path)}";

        var own = await client.GetAsync(Url("dev", "/scoped"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("value-dev-/scoped", (await own.JsonAsync()).GetProperty("secret").GetProperty("current").GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Url("dev", "/scoped/below"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Url("dev", "/scoped/"))).StatusCode);

        foreach (var (environment, path, project) in new[] { ("dev", "/elsewhere", (Guid?)null), ("dev", "/", null), ("prod", "/scoped", null), ("dev", "/scoped", Guid.NewGuid()), ("dev", "/scopedx", null) })
        {
            var refused = await client.GetAsync(Url(environment, path, project));
            var problem = await refused.AssertProblemAsync(403);
            Assert.DoesNotContain("value-", problem.ToString(), StringComparison.Ordinal);
        }

        // A secrets:read token reads nothing of the rotation API.
        await (await client.GetAsync($"{Rotations}?projectId={projectId}")).AssertProblemAsync(403);
    }

    [Fact]
    public async Task No_error_body_or_log_line_contains_a_secret()
    {
        var projectId = await app.ProjectIdAsync();
        await app.EnsureFolderAsync("dev", "/hygiene");
        var reader = await app.IssueTokenAsync("hygiene-reader", new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/hygiene"));
        using var admin = app.Client();
        var application = app.NewApplication("Hygiene");
        var created = await admin.PostJsonTextAsync($"{Rotations}/auth0-client-secret", $$"""
            {
              "name": "hygiene",
              "projectId": "{{projectId}}",
              "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
              "environment": "dev",
              "secretPath": "/hygiene",
              "rotationInterval": 30,
              "parameters": {"clientId": "{{application}}"},
              "secretsMapping": {"clientId": "HYGIENE_CLIENT_ID", "clientSecret": "HYGIENE_CLIENT_SECRET"},
            }
            """);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetString();
        var first = app.Sandbox.GetClientSecret(application)!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{Rotations}/auth0-client-secret/{id}/rotate-secrets", null)).StatusCode);
        var second = app.Sandbox.GetClientSecret(application)!;

        // Failing calls of every kind, some carrying a secret where a careless answer would repeat it (identifiers such
        // as a secret's key or an application's client id are repeated on purpose, so no secret goes there).
        var bodies = new List<string>();
        using var readerClient = app.Client(reader);
        using var wrongToken = app.Client(second);
        using var tamperedToken = app.Client(reader + "x");
        foreach (var response in new[]
                 {
                     await admin.PostJsonTextAsync($"{Rotations}/auth0-client-secret", $$"""{"name": "{{second}}", "description": {{second.Length}}}"""),
                     await admin.PostJsonTextAsync($"{Rotations}/auth0-client-secret", $$"""{"name": "{{second}}", "rotationInterval": 30}"""),
                     await admin.PatchJsonTextAsync($"{Rotations}/auth0-client-secret/{id}", $$"""{"rotationInterval": "{{second}}"}"""),
                     await admin.PatchJsonTextAsync($"{Rotations}/auth0-client-secret/{id}", $$"""{"strategy": "{{second}}", "name": "{{second}}"}"""),
                     await admin.PostJsonTextAsync($"{Rotations}/auth0-client-secret", $$"""{"projectId": "{{second}}"}"""),
                     await readerClient.GetAsync($"api/v1/consumer/secrets/HYGIENE_CLIENT_SECRET?projectId={projectId}&environment=prod&secretPath=/hygiene"),
                     await readerClient.GetAsync($"api/v1/consumer/secrets/HYGIENE_CLIENT_SECRET?projectId={Uri.EscapeDataString(second)}&environment=dev&secretPath=/hygiene"),
                     await wrongToken.GetAsync($"{Rotations}?projectId={projectId}"),
                     await tamperedToken.GetAsync($"{Rotations}?projectId={projectId}"),
                     await tamperedToken.GetAsync($"api/v1/consumer/secrets/HYGIENE_CLIENT_SECRET?projectId={projectId}&environment=dev&secretPath=/hygiene"),
                 })
        {
            Assert.True((int)response.StatusCode >= 400, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        // The consumer read succeeds (and is what a consumer needs); the value is only ever in that body.
        var read = await readerClient.GetAsync($"api/v1/consumer/secrets/HYGIENE_CLIENT_SECRET?projectId={projectId}&environment=dev&secretPath=/hygiene");
        Assert.Equal(second, (await read.JsonAsync()).GetProperty("secret").GetProperty("current").GetProperty("value").GetString());

        var secrets = new[] { first, second, reader, ApiAppFactory.BootstrapToken };
        foreach (var secret in secrets)
        {
            foreach (var body in bodies)
            {
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
                Assert.DoesNotContain(JsonEncodedText.Encode(secret).ToString(), body, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(secret, app.Logs.AllText, StringComparison.Ordinal);
        }

        Assert.NotEmpty(app.Logs.Entries);
    }

    private async Task<Guid> FirstRotationIdAsync(Guid projectId)
    {
        using var client = app.Client();
        var list = await (await client.GetAsync($"{Rotations}/auth0-client-secret?projectId={projectId}")).JsonAsync();
        if (list.GetProperty("secretRotations").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
        {
            return first.GetProperty("id").GetGuid();
        }

        await app.EnsureFolderAsync("dev", "/access");
        var created = await client.PostJsonTextAsync($"{Rotations}/auth0-client-secret", $$"""
            {
              "name": "access",
              "projectId": "{{projectId}}",
              "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
              "environment": "dev",
              "secretPath": "/access",
              "rotationInterval": 30,
              "parameters": {"clientId": "{{app.NewApplication("Access")}}"},
              "secretsMapping": {"clientId": "ACCESS_CLIENT_ID", "clientSecret": "ACCESS_CLIENT_SECRET"}
            }
            """);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return (await created.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetGuid();
    }
}
