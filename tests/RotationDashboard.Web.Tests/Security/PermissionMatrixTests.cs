using RotationDashboard.Testing;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Api;
using RotationDashboard.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RotationDashboard.Web.Tests.Security;

/// <summary>
/// Who may call which API route, over real HTTP: every /api route the app maps × each single-permission token, the
/// bootstrap token, an Admin and a Viewer session and no credentials, expected from the route's declared permission;
/// project-limited rotation tokens; consumer paths that try to leave a token's folder. An app of its own: it adds a
/// second project, which the shared API tests do not expect.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PermissionMatrixTests(ApiAppFactory app, ITestOutputHelper output) : IClassFixture<ApiAppFactory>
{
    private const string Rotations = "api/v2/secret-rotations";

    /// <summary>API routes for any authenticated caller, on purpose (everything else must declare a permission).</summary>
    private static readonly HashSet<string> SignedInOnlyRoutes = ["/api/v1/antiforgery-token"];

    /// <summary>
    /// API routes anyone may call, on purpose: Universal Auth's login and renew, whose body is the credential. Every
    /// caller gets an answer about the body (never 401/403), and a bad body changes nothing.
    /// </summary>
    private static readonly HashSet<string> AnonymousRoutes = ["/api/v1/auth/universal-auth/login", "/api/v1/auth/token/renew"];

    private sealed record Caller(string Name, HttpClient Client, Func<string, bool> Has, bool Anonymous = false, bool AdminSession = false);

    [Fact]
    public async Task Every_api_route_allows_exactly_the_callers_its_declared_permission_names()
    {
        var projectId = await app.ProjectIdAsync();
        var rotationId = await CreateRotationAsync(projectId, "matrix", "/matrix");
        var connectionId = await app.SandboxConnectionIdAsync();
        string? runId;
        await using (var db = await app.CreateContextAsync())
        {
            runId = (await db.RotationRuns.Where(r => r.RotationId == rotationId).Select(r => r.Id).FirstAsync()).ToString();
        }

        var callers = new List<Caller>
        {
            new("anonymous", app.Client(token: null), _ => false, Anonymous: true),
            new("bootstrap token", app.Client(), _ => true),
            new("Admin session", await SandboxSignIn.CreateSignedInClientAsync(app.Address, SandboxSignIn.Admin), _ => true, AdminSession: true),
            new("Viewer session", await SandboxSignIn.CreateSignedInClientAsync(app.Address, SandboxSignIn.Viewer),
                p => p is ApiPermissions.RotationsRead or ApiPermissions.ConnectionsRead),
        };
        foreach (var permission in ApiPermissions.All)
        {
            callers.Add(new($"{permission} token", app.Client(await app.IssueTokenAsync("matrix", new ApiTokenScope(permission))), p => p == permission));
        }

        var routes = app.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.OrdinalIgnoreCase) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => (Method: method, Endpoint: e)))
            .ToList();
        Assert.True(routes.Count >= 25, $"only {routes.Count} API routes found");

        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var (method, endpoint) in routes)
        {
            var template = endpoint.RoutePattern.RawText!;
            var required = endpoint.Metadata.GetOrderedMetadata<ApiPermissionMetadata>();
            var adminSessionOnly = endpoint.Metadata.GetMetadata<AdminSessionOnlyMetadata>() is not null;
            var anonymous = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
            Assert.True(anonymous == AnonymousRoutes.Contains(template), $"{method} {template}: anonymous access must be listed in AnonymousRoutes (and only there)");
            Assert.True(required.Count > 0 || adminSessionOnly || anonymous || SignedInOnlyRoutes.Contains(template), $"{method} {template} declares no API permission");

            foreach (var caller in callers)
            {
                var allowed = anonymous || (!caller.Anonymous && (adminSessionOnly ? caller.AdminSession : required.All(r => r.AnyOf.Any(caller.Has))));
                // Denied callers get the real objects (nothing may change); allowed ones unknown ids, so no change is made.
                var path = Fill(template, allowed && method != "GET", rotationId, connectionId, runId, await AnySessionIdAsync());
                var before = await FingerprintAsync();
                using var request = new HttpRequestMessage(new HttpMethod(method), $"{path.TrimStart('/')}?projectId={projectId}&environment=dev&secretPath=/matrix");
                if (method is "POST" or "PATCH")
                {
                    request.Content = new StringContent("""{"description": "changed by the matrix"}""", Encoding.UTF8, "application/json");
                }

                using var response = await caller.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                checkedCount++;
                var expectation = caller.Anonymous && !anonymous ? "401" : allowed ? "allowed" : "403";
                var ok = caller.Anonymous && !anonymous ? status == 401
                    : allowed ? status is not (401 or 403)
                    : status == 403;
                if (!ok)
                {
                    failures.Add($"{caller.Name}: {method} {template} expected {expectation}, got {status}: {await response.Content.ReadAsStringAsync()}");
                }

                if (!allowed && before != await FingerprintAsync())
                {
                    failures.Add($"{caller.Name}: {method} {template} was refused but changed data");
                }
            }
        }

        output.WriteLine($"{checkedCount} calls checked over {routes.Count} routes and {callers.Count} callers");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_write_token_does_not_reveal_generated_credentials_and_a_reveal_token_does()
    {
        var projectId = await app.ProjectIdAsync();
        var rotationId = await CreateRotationAsync(projectId, "reveal", "/reveal");
        using var writer = app.Client(await app.IssueTokenAsync("writer", new ApiTokenScope(ApiPermissions.RotationsWrite)));
        using var revealer = app.Client(await app.IssueTokenAsync("revealer", new ApiTokenScope("rotations:reveal")));
        var url = $"{Rotations}/auth0-client-secret/{rotationId}/generated-credentials";

        await (await writer.GetAsync(url)).AssertProblemAsync(403);
        var revealed = await revealer.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.NotEmpty((await revealed.JsonAsync()).GetProperty("generatedCredentials").EnumerateArray());
    }

    [Fact]
    public async Task A_project_limited_rotations_token_cannot_read_or_change_another_projects_rotations()
    {
        var projectA = await app.ProjectIdAsync();
        var projectB = await SecondProjectAsync();
        var inA = await CreateRotationAsync(projectA, "limited-a", "/limited");
        var inB = await CreateRotationAsync(projectB, "limited-b", "/limited");
        var limited = await app.IssueTokenAsync("project-a",
            new ApiTokenScope(ApiPermissions.RotationsRead, projectA),
            new ApiTokenScope(ApiPermissions.RotationsWrite, projectA),
            new ApiTokenScope("rotations:reveal", projectA));
        using var client = app.Client(limited);
        var b = $"{Rotations}/auth0-client-secret/{inB}";

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{Rotations}/auth0-client-secret/{inA}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{Rotations}/auth0-client-secret/{inA}/generated-credentials")).StatusCode);
        var listA = await (await client.GetAsync($"{Rotations}?projectId={projectA}")).JsonAsync();
        Assert.Contains(listA.GetProperty("secretRotations").EnumerateArray(), r => r.GetProperty("id").GetString() == inA.ToString());

        var before = await FingerprintAsync();
        var runsBefore = await RunCountAsync(inB);
        foreach (var refused in new[]
                 {
                     await client.GetAsync(b),
                     await client.GetAsync($"{b}/runs"),
                     await client.GetAsync($"{b}/generated-credentials"),
                     await client.GetAsync($"{Rotations}?projectId={projectB}"),
                     await client.GetAsync($"{Rotations}/auth0-client-secret?projectId={projectB}"),
                     await client.GetAsync($"{Rotations}/auth0-client-secret/rotation-name/limited-b?projectId={projectB}&environment=dev&secretPath=/limited"),
                     await client.PatchJsonTextAsync(b, """{"description": "moved by another project's token"}"""),
                     await client.PostAsync($"{b}/rotate-secrets", null),
                     await client.DeleteAsync($"{b}?deleteSecrets=true"),
                     await client.PostJsonTextAsync($"{Rotations}/auth0-client-secret", await CreateBodyAsync(projectB, "sneaky", "/limited")),
                 })
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{refused.RequestMessage!.Method} {refused.RequestMessage.RequestUri} answered {(int)refused.StatusCode}: {body}");
            Assert.DoesNotContain("limited-b", body, StringComparison.Ordinal);
        }

        Assert.Equal(before, await FingerprintAsync());
        Assert.Equal(runsBefore, await RunCountAsync(inB));

        // The projects list shows the token its own project only.
        var projects = await (await client.GetAsync("api/v1/projects")).JsonAsync();
        Assert.Equal(new[] { projectA.ToString() }, projects.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_project_and_environment_limited_token_sees_only_that_environment()
    {
        var projectA = await app.ProjectIdAsync();
        await SecondProjectAsync();
        using var client = app.Client(await app.IssueTokenAsync("env-limited", new ApiTokenScope(ApiPermissions.SecretsRead, projectA, "prod")));
        var projects = (await (await client.GetAsync("api/v1/projects")).JsonAsync()).GetProperty("projects").EnumerateArray().ToList();
        var only = Assert.Single(projects);
        Assert.Equal(projectA.ToString(), only.GetProperty("id").GetString());
        Assert.Equal(new[] { "prod" }, only.GetProperty("environments").EnumerateArray().Select(e => e.GetProperty("slug").GetString()!).ToArray());
    }

    [Fact]
    public async Task Connection_permissions_cannot_be_limited_to_a_project()
    {
        var projectId = await app.ProjectIdAsync();
        var result = await app.Get<Web.Services.ApiTokens.ApiTokenService>().CreateAsync("connections-limited",
            [new ApiTokenScope(ApiPermissions.ConnectionsWrite, projectId)], null, ApiAppFactory.Admin);
        Assert.False(result.Succeeded);
        Assert.Contains("scopes[0].permission", result.Failure!.Errors.Keys);
    }

    [Theory]
    [InlineData("/scoped/../outside")]
    [InlineData("/scoped/%2e%2e/outside")]
    [InlineData("/scoped/%2E%2E/outside")]
    [InlineData("/scoped/./../outside")]
    [InlineData("/scoped/..")]
    [InlineData("/scoped/..%2foutside")]
    [InlineData("/scoped\\..\\outside")]
    [InlineData("//scoped/../outside")]
    [InlineData("/SCOPED/../outside")]
    [InlineData("/Scoped")]
    [InlineData("/OUTSIDE")]
    [InlineData(" /scoped/ ../outside")]
    [InlineData("/scoped /../outside")]
    [InlineData("/scoped\t/../outside")]
    [InlineData("/scoped/%00/../outside")]
    [InlineData("/outside")]
    [InlineData("/")]
    [InlineData("/scopedx")]
    public async Task A_consumer_secret_path_never_escapes_the_tokens_folder(string secretPath)
    {
        var projectId = await app.ProjectIdAsync();
        var store = app.Get<SecretStoreService>();
        foreach (var path in new[] { "/", "/scoped", "/outside", "/scopedx" })
        {
            await app.EnsureFolderAsync("dev", path);
            var folder = await store.FindFolderAsync(projectId, "dev", path);
            if ((await store.ListSecretsAsync(folder!.Id)).All(s => s.Key != "ESCAPE_SECRET"))
            {
                Assert.True((await store.CreateSecretAsync(folder.Id, "ESCAPE_SECRET", $"value-at-{path}", ApiAppFactory.Admin.Actor)).Succeeded);
            }
        }

        using var client = app.Client(await app.IssueTokenAsync("escape", new ApiTokenScope(ApiPermissions.SecretsRead, projectId, "dev", "/scoped")));
        // The value as sent, and once more with its percent signs escaped (a decoded-twice path must not help either).
        foreach (var query in new[] { Uri.EscapeDataString(secretPath), secretPath.Replace(" ", "%20", StringComparison.Ordinal), Uri.EscapeDataString(Uri.EscapeDataString(secretPath)) })
        {
            foreach (var environment in new[] { "dev", "DEV", " dev ", "dev%20" })
            {
                using var response = await client.GetAsync($"api/v1/consumer/secrets/ESCAPE_SECRET?projectId={projectId}&environment={environment}&secretPath={query}");
                var body = await response.Content.ReadAsStringAsync();
                foreach (var outside in new[] { "value-at-/outside", "value-at-/\"", "value-at-/scopedx" })
                {
                    Assert.DoesNotContain(outside, body, StringComparison.Ordinal);
                }

                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound,
                    $"secretPath={query} environment={environment}: {(int)response.StatusCode} {body}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Contains("value-at-/scoped\"", body, StringComparison.Ordinal);
                }
            }
        }
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------

    private static string Fill(string template, bool unknownIds, Guid rotationId, Guid connectionId, string runId, string sessionId)
    {
        string Id(string real) => unknownIds ? Guid.NewGuid().ToString() : real;
        return template
            .Replace("{id}", unknownIds ? Convert.ToHexString(Guid.NewGuid().ToByteArray()) : sessionId, StringComparison.Ordinal)
            .Replace("{rotationId:guid}", Id(rotationId.ToString()), StringComparison.Ordinal)
            .Replace("{id:guid}", Id(connectionId.ToString()), StringComparison.Ordinal)
            .Replace("{runId:guid}", Id(runId), StringComparison.Ordinal)
            .Replace("{rotationName}", "matrix", StringComparison.Ordinal)
            .Replace("{key}", "MATRIX_CLIENT_SECRET", StringComparison.Ordinal)
            .Replace("{secretName}", "MATRIX_CLIENT_SECRET", StringComparison.Ordinal)
            .Replace("{clientSecretId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
    }

    /// <summary>Everything a refused call must leave as it was: rotations, runs, secrets, connections and tokens.</summary>
    private async Task<string> FingerprintAsync()
    {
        await using var db = await app.CreateContextAsync();
        var rotations = await db.Rotations.AsNoTracking().Select(r => r.Id.ToString() + r.UpdatedAt.ToString("O") + r.Description).ToListAsync();
        var connections = await db.Connections.AsNoTracking().Select(c => c.Id.ToString() + c.UpdatedAt.ToString("O")).ToListAsync();
        return string.Join("|", rotations.Order()) + "#" + string.Join("|", connections.Order()) + "#" +
               await db.RotationRuns.CountAsync() + "#" + await db.SecretVersions.CountAsync() + "#" + await db.Secrets.CountAsync() + "#" +
               await db.ApiTokens.CountAsync() + "#" + await db.Folders.CountAsync() + "#" + await db.UserSessions.CountAsync() + "#" +
               await db.MachineIdentities.CountAsync(i => i.RevokedAt == null) + "#" + await db.MachineIdentityClientSecrets.CountAsync(s => s.RevokedAt == null) + "#" +
               await db.MachineIdentityAccessTokens.CountAsync();
    }

    private async Task<string> AnySessionIdAsync()
    {
        await using var db = await app.CreateContextAsync();
        return await db.UserSessions.Select(s => s.Id).OrderBy(id => id).FirstOrDefaultAsync() ?? "no-session";
    }

    private async Task<int> RunCountAsync(Guid rotationId)
    {
        await using var db = await app.CreateContextAsync();
        return await db.RotationRuns.CountAsync(r => r.RotationId == rotationId);
    }

    private async Task<Guid> SecondProjectAsync()
    {
        await using var db = await app.CreateContextAsync();
        if (await db.Projects.SingleOrDefaultAsync(p => p.Slug == "other-team") is { } existing)
        {
            return existing.Id;
        }

        var project = Project.Create("Other team", "other-team", DateTimeOffset.UtcNow);
        db.Projects.Add(project);
        db.Environments.AddRange(ProjectEnvironment.CreateDefaults(project.Id));
        await db.SaveChangesAsync();
        return project.Id;
    }

    private async Task<string> CreateBodyAsync(Guid projectId, string name, string path)
    {
        var store = app.Get<SecretStoreService>();
        var environmentId = (await store.ListEnvironmentsAsync(projectId)).Single(e => e.Slug == "dev").Id;
        if (await store.FindFolderAsync(projectId, "dev", path) is null)
        {
            Assert.True((await store.CreateFolderAsync(environmentId, path, ApiAppFactory.Admin.Actor)).Succeeded);
        }

        var prefix = name.ToUpperInvariant().Replace('-', '_');
        return $$"""
            {
              "name": "{{name}}", "projectId": "{{projectId}}", "connectionId": "{{await app.SandboxConnectionIdAsync()}}",
              "environment": "dev", "secretPath": "{{path}}", "rotationInterval": 30,
              "parameters": {"clientId": "{{app.NewApplication(name)}}"},
              "secretsMapping": {"clientId": "{{prefix}}_CLIENT_ID", "clientSecret": "{{prefix}}_CLIENT_SECRET"}
            }
            """;
    }

    private async Task<Guid> CreateRotationAsync(Guid projectId, string name, string path)
    {
        using var admin = app.Client();
        var created = await admin.PostJsonTextAsync($"{Rotations}/auth0-client-secret", await CreateBodyAsync(projectId, name, path));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        return Guid.Parse((await created.JsonAsync()).GetProperty("secretRotation").GetProperty("id").GetString()!);
    }
}
