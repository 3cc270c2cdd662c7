using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary>The connections API over real HTTP, signed in through the sandbox, against the in-app sandbox tenant.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
[Collection(ConnectionsAppCollection.Name)]
public sealed class ConnectionApiTests
{
    private const string Api = "api/v1/app-connections/auth0";
    private readonly ConnectionsAppFactory _app;

    public ConnectionApiTests(ConnectionsAppFactory app) => _app = app;

    [Fact]
    public async Task The_sandbox_connection_exists_after_start_up_and_validates_with_every_scope()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);

        var list = await (await ada.GetAsync(Api)).ReadJsonAsync();
        var sandbox = list.GetProperty("appConnections").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == SandboxConnections.DefaultConnectionName);
        Assert.True(sandbox.GetProperty("isSandbox").GetBoolean());
        Assert.Equal("auth0", sandbox.GetProperty("app").GetString());
        Assert.Equal(SandboxSeed.DashboardClientId, sandbox.GetProperty("credentials").GetProperty("clientId").GetString());
        Assert.Equal(_app.SandboxDomain.Replace("localhost", "127.0.0.1"), sandbox.GetProperty("credentials").GetProperty("domain").GetString());

        var id = sandbox.GetProperty("id").GetString();
        var validated = await ada.PostAsync($"{Api}/{id}/validate", null);
        var body = await validated.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
        Assert.True(body.GetProperty("validation").GetProperty("ok").GetBoolean(), body.ToString());
        Assert.Equal("ok", body.GetProperty("appConnection").GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("validation").GetProperty("missingScopes").GetProperty("auth0-client-secret").EnumerateArray());
        Assert.Empty(body.GetProperty("validation").GetProperty("missingScopes").GetProperty("auth0-private-key-jwt").EnumerateArray());
        Assert.DoesNotContain(SandboxSeed.DefaultDashboardClientSecret, body.ToString(), StringComparison.Ordinal);

        // Start-up seeding is idempotent.
        await _app.Get<SandboxConnectionSeeder>().EnsureAsync();
        await using var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Connections.CountAsync(c => c.Name == SandboxConnections.DefaultConnectionName));
    }

    [Fact]
    public async Task Create_through_the_api_to_the_in_app_sandbox_never_returns_the_secret_and_lists_its_applications()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var management = _app.Get<SandboxTenant>().CreateManagementClient("api-test-m2m", SandboxSeed.DashboardScopes);

        // Hand-written JSON with trailing commas is accepted.
        var json = $$"""
            {
              "name": "api-sandbox",
              "method": "client-credentials",
              "credentials": {
                "domain": "{{_app.SandboxDomain}}",
                "clientId": "{{management.ClientId}}",
                "clientSecret": "{{management.ClientSecret}}",
              },
            }
            """;
        var created = await ada.PostRawJsonAsync(Api, json);
        var createdText = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.DoesNotContain(management.ClientSecret!, createdText, StringComparison.Ordinal);
        Assert.DoesNotContain("clientSecret", createdText, StringComparison.OrdinalIgnoreCase);
        var connection = JsonDocument.Parse(createdText).RootElement.GetProperty("appConnection");
        var id = connection.GetProperty("id").GetString();
        Assert.True(connection.GetProperty("isSandbox").GetBoolean());
        Assert.Equal("ok", connection.GetProperty("status").GetString()); // Auth0 issued a token before it was saved
        Assert.Equal(new Uri(_app.Address, "sandbox-tenant/api/v2/").AbsoluteUri.Replace("localhost", "127.0.0.1"),
            connection.GetProperty("credentials").GetProperty("audience").GetString());

        var validation = await ada.PostAsync($"{Api}/{id}/validate", null);
        var clients = await ada.GetAsync($"{Api}/{id}/clients");
        var clientsText = await clients.Content.ReadAsStringAsync();
        var get = await ada.GetStringAsync($"{Api}/{id}");
        var list = await ada.GetStringAsync(Api);

        Assert.Equal(HttpStatusCode.OK, validation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, clients.StatusCode);
        var ids = JsonDocument.Parse(clientsText).RootElement.GetProperty("clients").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains(SandboxSeed.PaymentsWorkerClientId, ids);
        Assert.Contains(SandboxSeed.LedgerSyncClientId, ids);
        Assert.Contains(SandboxSeed.DashboardClientId, ids); // another connection's client is an ordinary app here
        Assert.DoesNotContain(management.ClientId, ids);     // the connection's own client is hidden
        Assert.DoesNotContain(SandboxSeed.AllApplicationsClientId, ids);
        Assert.DoesNotContain(SandboxSeed.LoginClientId, ids);       // nor is the application admins sign in with
        var ledger = JsonDocument.Parse(clientsText).RootElement.GetProperty("clients").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == SandboxSeed.LedgerSyncClientId);
        Assert.Equal(("non_interactive", "private_key_jwt"), (ledger.GetProperty("appType").GetString(), ledger.GetProperty("authMethod").GetString()));

        foreach (var text in new[] { await validation.Content.ReadAsStringAsync(), clientsText, get, list })
        {
            Assert.DoesNotContain(management.ClientSecret!, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SandboxSeed.DefaultDashboardClientSecret, text, StringComparison.Ordinal);
        }

        var search = await (await ada.GetAsync($"{Api}/{id}/clients?search=ledger")).ReadJsonAsync();
        Assert.Equal([SandboxSeed.LedgerSyncClientId], search.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.True(search.GetProperty("totalCount").GetInt32() > 1);
    }

    [Fact]
    public async Task Validation_names_the_missing_scopes_per_rotation_type()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var limited = _app.Get<SandboxTenant>().CreateManagementClient("read-only-m2m", ["read:clients"]);
        var id = await CreateAsync(ada, "read-only", _app.SandboxDomain, limited.ClientId, limited.ClientSecret!);

        var body = await (await ada.PostAsync($"{Api}/{id}/validate", null)).ReadJsonAsync();
        var validation = body.GetProperty("validation");

        Assert.True(validation.GetProperty("ok").GetBoolean());
        Assert.Equal(["read:clients"], validation.GetProperty("grantedScopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["update:client_keys"], Missing(validation, "auth0-client-secret"));
        Assert.Equal(
            ["read:client_credentials", "create:client_credentials", "update:client_credentials", "delete:client_credentials", "update:clients"],
            Missing(validation, "auth0-private-key-jwt"));
        Assert.Contains("update:client_keys", validation.GetProperty("message").GetString());
        Assert.Equal("missing-scopes", body.GetProperty("appConnection").GetProperty("status").GetString());
        Assert.Equal(["update:client_keys"], Missing(body.GetProperty("appConnection"), "auth0-client-secret"));

        // No grant for the Management API at all: the credential works, but there is no token, so nothing is saved.
        var noGrant = _app.Get<SandboxTenant>().CreateClient("no-grant-m2m");
        var before = await CountConnectionsAsync();
        var refused = await ada.PostAsJsonAsync(Api, Body("no-grant", _app.SandboxDomain, noGrant.ClientId, noGrant.ClientSecret!));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var audienceError = (await refused.ReadJsonAsync()).GetProperty("errors").GetProperty("credentials.audience")[0].GetString();
        Assert.Contains("Authorize the application for the Auth0 Management API", audienceError);
        Assert.Equal(before, await CountConnectionsAsync());

        static List<string?> Missing(JsonElement element, string type) =>
            element.GetProperty("missingScopes").GetProperty(type).EnumerateArray().Select(s => s.GetString()).ToList();
    }

    [Fact]
    public async Task A_wrong_secret_fails_validation_with_auth0s_error_and_is_recorded_scrubbed()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        const string wrongSecret = "this-is-not-the-secret-0123456789";

        // A connection is saved only once Auth0 accepts its credentials.
        var before = await CountConnectionsAsync();
        var refused = await ada.PostAsJsonAsync(Api, Body("wrong-secret", _app.SandboxDomain, SandboxSeed.PaymentsWorkerClientId, wrongSecret));
        var refusedText = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("rejected the client ID or secret (401", JsonDocument.Parse(refusedText).RootElement.GetProperty("errors").GetProperty("credentials.clientSecret")[0].GetString());
        Assert.DoesNotContain(wrongSecret, refusedText, StringComparison.Ordinal);
        Assert.Equal(before, await CountConnectionsAsync());

        // A saved connection whose secret is changed in Auth0 afterwards: Test connection says so and records it.
        var tenant = _app.Get<SandboxTenant>();
        var m2m = tenant.CreateManagementClient("rotated-elsewhere-m2m", SandboxSeed.DashboardScopes);
        var id = await CreateAsync(ada, "rotated-elsewhere", _app.SandboxDomain, m2m.ClientId, m2m.ClientSecret!);
        var window = tenant.PropagationWindow;
        tenant.SetPropagationWindow(TimeSpan.Zero);
        try
        {
            tenant.SetClientSecret(m2m.ClientId, wrongSecret);
        }
        finally
        {
            tenant.SetPropagationWindow(window);
        }

        var response = await ada.PostAsync($"{Api}/{id}/validate", null);
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.GetProperty("validation").GetProperty("ok").GetBoolean());
        Assert.Equal("invalidCredential", body.GetProperty("validation").GetProperty("outcome").GetString());
        Assert.Contains("401", body.GetProperty("validation").GetProperty("message").GetString());
        Assert.Equal("failed", body.GetProperty("appConnection").GetProperty("status").GetString());
        Assert.False(body.GetProperty("appConnection").GetProperty("lastValidationOk").GetBoolean());
        Assert.DoesNotContain(wrongSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(m2m.ClientSecret!, text, StringComparison.Ordinal);

        var clients = await ada.GetAsync($"{Api}/{id}/clients");
        Assert.Equal(HttpStatusCode.BadGateway, clients.StatusCode);
        Assert.Equal("application/problem+json", clients.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rejected the connection's client ID or secret", (await clients.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Invalid_input_gets_400_with_field_errors_and_creates_nothing()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var before = await CountConnectionsAsync();

        var invalid = await ada.PostAsJsonAsync(Api, new
        {
            name = "Not A Slug",
            method = "client-credentials",
            credentials = new { domain = "https://tenant.eu.auth0.com/api/v2/", clientId = " ", audience = "not a url" },
        });
        var errors = (await invalid.ReadJsonAsync()).GetProperty("errors");
        var badMethod = await ada.PostAsJsonAsync(Api, new { name = "ok-name", method = "api-key", credentials = new { } });
        var malformed = await ada.PostRawJsonAsync(Api, """{"name": 42}""");
        var notJson = await ada.PostAsync(Api, new StringContent("name=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var duplicate = await ada.PostAsJsonAsync(Api, Body(SandboxConnections.DefaultConnectionName, _app.SandboxDomain, "c", "s"));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            ["credentials.audience", "credentials.clientId", "credentials.clientSecret", "credentials.domain", "name"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("tenant domain only", errors.GetProperty("credentials.domain")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badMethod.StatusCode);
        Assert.True((await badMethod.ReadJsonAsync()).GetProperty("errors").TryGetProperty("method", out _));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True((await malformed.ReadJsonAsync()).GetProperty("errors").TryGetProperty("name", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("already exists", (await duplicate.ReadJsonAsync()).GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.Equal(before, await CountConnectionsAsync());
    }

    [Fact]
    public async Task The_outbound_guard_refuses_private_and_loopback_tenants_that_are_not_the_sandbox()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var before = await CountConnectionsAsync();

        foreach (var (domain, scope) in new[] { ("10.0.0.1", "private network"), ("https://127.0.0.1:8443", "loopback"), ("169.254.169.254", "link-local") })
        {
            var response = await ada.PostAsJsonAsync(Api, Body("ssrf-probe", domain, "client", "secret"));
            var message = (await response.ReadJsonAsync()).GetProperty("errors").GetProperty("credentials.domain")[0].GetString();

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Refusing to connect", message);
            Assert.Contains(scope, message);
        }

        // The sandbox's own address is refused too when the caller says it is not the sandbox.
        var notSandbox = await ada.PostAsJsonAsync(Api, new
        {
            name = "not-sandbox",
            method = "client-credentials",
            isSandbox = false,
            credentials = new { domain = _app.SandboxDomain.Replace("http://", "https://"), clientId = "c", clientSecret = "s" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, notSandbox.StatusCode);
        Assert.Contains("loopback", (await notSandbox.ReadJsonAsync()).GetProperty("errors").GetProperty("credentials.domain")[0].GetString());
        Assert.Equal(before, await CountConnectionsAsync());
    }

    [Fact]
    public async Task Patch_keeps_the_secret_unless_given_and_asks_for_it_again_when_the_tenant_changes()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var id = await CreateAsync(ada, "patch-me", _app.SandboxDomain, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);

        var renamed = await ada.PatchJsonAsync($"{Api}/{id}", new { name = "patched" });
        var validated = await (await ada.PostAsync($"{Api}/{id}/validate", null)).ReadJsonAsync();
        var moved = await ada.PatchJsonAsync($"{Api}/{id}", new { credentials = new { domain = "tenant.eu.auth0.com" } });
        var missing = await ada.PatchJsonAsync($"{Api}/{Guid.NewGuid()}", new { name = "x" });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("patched", (await renamed.ReadJsonAsync()).GetProperty("appConnection").GetProperty("name").GetString());
        Assert.True(validated.GetProperty("validation").GetProperty("ok").GetBoolean(), "the stored secret was kept");
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Contains("Enter the client secret again",
            (await moved.ReadJsonAsync()).GetProperty("errors").GetProperty("credentials.clientSecret")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        // Routing refusals get problem details too, not the HTML not-found page.
        var noRoute = await ada.GetAsync($"{Api}/not-a-guid");
        Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
        Assert.Equal("application/problem+json", noRoute.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delete_is_refused_with_the_reason_while_a_rotation_uses_the_connection()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        var id = Guid.Parse(await CreateAsync(ada, "in-use", _app.SandboxDomain, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret));
        var rotation = await AddRotationAsync(id, "payments-worker-secret");

        var refused = await ada.DeleteAsync($"{Api}/{id}");
        var listed = (await (await ada.GetAsync($"{Api}/{id}")).ReadJsonAsync()).GetProperty("appConnection");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode); // Hanzo KMS's status for a connection in use
        var detail = (await refused.ReadJsonAsync()).GetProperty("detail").GetString();
        Assert.Contains("used by 1 rotation", detail);
        Assert.Contains("payments-worker-secret", detail);
        Assert.Equal(1, listed.GetProperty("rotationCount").GetInt32());

        await using (var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync())
        {
            await db.Rotations.Where(r => r.Id == rotation.Id).ExecuteDeleteAsync();
        }

        var deleted = await ada.DeleteAsync($"{Api}/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("in-use", (await deleted.ReadJsonAsync()).GetProperty("appConnection").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ada.GetAsync($"{Api}/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_but_every_write_is_403()
    {
        using var ada = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Admin);
        using var victor = await SandboxSignIn.CreateSignedInClientAsync(_app.Address, SandboxSignIn.Viewer);
        var id = await CreateAsync(ada, "viewer-target", _app.SandboxDomain, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);

        Assert.Equal(HttpStatusCode.OK, (await victor.GetAsync(Api)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victor.GetAsync($"{Api}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victor.GetAsync($"{Api}/{id}/clients")).StatusCode);

        var writes = new[]
        {
            await victor.PostAsJsonAsync(Api, Body("viewer-made", _app.SandboxDomain, "c", "s")),
            await victor.PatchJsonAsync($"{Api}/{id}", new { name = "viewer-renamed" }),
            await victor.DeleteAsync($"{Api}/{id}"),
            await victor.PostAsync($"{Api}/{id}/validate", null),
        };
        foreach (var response in writes)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var anonymous = new HttpClient { BaseAddress = _app.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Api)).StatusCode);
        Assert.Equal("viewer-target", (await (await ada.GetAsync($"{Api}/{id}")).ReadJsonAsync()).GetProperty("appConnection").GetProperty("name").GetString());
    }

    private static object Body(string name, string domain, string clientId, string clientSecret) => new
    {
        name,
        method = "client-credentials",
        credentials = new { domain, clientId, clientSecret },
    };

    private static async Task<string> CreateAsync(HttpClient client, string name, string domain, string clientId, string clientSecret)
    {
        var response = await client.PostAsJsonAsync(Api, Body(name, domain, clientId, clientSecret));
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("appConnection").GetProperty("id").GetString()!;
    }

    private async Task<int> CountConnectionsAsync()
    {
        await using var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        return await db.Connections.CountAsync();
    }

    private async Task<Rotation> AddRotationAsync(Guid connectionId, string name)
    {
        await using var db = await _app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        var folder = await db.Folders.FirstAsync(f => f.Path == FolderPath.Root);
        var environment = await db.Environments.SingleAsync(e => e.Id == folder.EnvironmentId);
        var rotation = Rotation.Create(new RotationSettings
        {
            Name = name,
            ConnectionId = connectionId,
            ProjectId = environment.ProjectId,
            EnvironmentId = environment.Id,
            FolderId = folder.Id,
            Parameters = new RotationParameters(SandboxSeed.PaymentsWorkerClientId),
            SecretsMapping = SecretsMapping.DefaultFor(RotationType.Auth0ClientSecret),
        }, DateTimeOffset.UtcNow);
        db.Rotations.Add(rotation);
        await db.SaveChangesAsync();
        return rotation;
    }
}
