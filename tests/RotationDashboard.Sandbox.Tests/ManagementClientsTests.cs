using RotationDashboard.Testing;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ManagementClientsTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    private Task<HttpClient> ManagementClientAsync(params string[] scopes) => Host.ManagementApiClientAsync(scopes);

    [Fact]
    public async Task Listing_pages_with_totals_and_per_page_over_100_is_rejected()
    {
        using var api = await ManagementClientAsync();
        var total = Host.Tenant.GetClients().Count;

        using var first = await api.GetAsync("clients?include_totals=true&per_page=3&page=0");
        using var second = await api.GetAsync("clients?include_totals=true&per_page=3&page=1");
        using var bare = await api.GetAsync("clients?per_page=2");
        using var tooMany = await api.GetAsync("clients?per_page=101");

        var firstBody = await first.ReadJsonAsync();
        Assert.Equal(0, firstBody.GetProperty("start").GetInt32());
        Assert.Equal(3, firstBody.GetProperty("limit").GetInt32());
        Assert.Equal(total, firstBody.GetProperty("total").GetInt32());
        Assert.Equal(3, firstBody.GetProperty("clients").GetArrayLength());
        var secondBody = await second.ReadJsonAsync();
        Assert.Equal(3, secondBody.GetProperty("start").GetInt32());
        Assert.NotEqual(
            firstBody.GetProperty("clients")[0].GetProperty("client_id").GetString(),
            secondBody.GetProperty("clients")[0].GetProperty("client_id").GetString());
        Assert.Equal(JsonValueKind.Array, (await bare.ReadJsonAsync()).ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var error = await tooMany.ReadJsonAsync();
        Assert.Equal("invalid_query_string", error.GetProperty("errorCode").GetString());
        Assert.Equal("Bad Request", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_seeded_tenant_lists_realistic_apps_including_the_global_pseudo_client()
    {
        using var api = await ManagementClientAsync();

        var clients = await (await api.GetAsync("clients?per_page=100")).ReadJsonAsync();
        var byId = clients.EnumerateArray().ToDictionary(c => c.GetProperty("client_id").GetString()!);

        Assert.True(byId[SandboxSeed.AllApplicationsClientId].GetProperty("global").GetBoolean());
        Assert.Equal("All Applications", byId[SandboxSeed.AllApplicationsClientId].GetProperty("name").GetString());
        Assert.Equal("native", byId[SandboxSeed.MobileAppClientId].GetProperty("app_type").GetString());
        Assert.False(byId[SandboxSeed.MobileAppClientId].TryGetProperty("client_secret", out _));
        Assert.Equal("client_secret_basic", byId[SandboxSeed.ReportingJobClientId].GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal(SandboxSeed.PaymentsWorkerClientSecret, byId[SandboxSeed.PaymentsWorkerClientId].GetProperty("client_secret").GetString());
        var ledger = byId[SandboxSeed.LedgerSyncClientId];
        Assert.False(ledger.TryGetProperty("client_secret", out _));
        Assert.Equal(SandboxSeed.LedgerSyncCredentialId,
            ledger.GetProperty("client_authentication_methods").GetProperty("private_key_jwt").GetProperty("credentials")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task App_type_filter_and_field_selection_work()
    {
        using var api = await ManagementClientAsync();

        var natives = await (await api.GetAsync("clients?app_type=native,regular_web&fields=client_id,app_type&include_fields=true")).ReadJsonAsync();

        Assert.All(natives.EnumerateArray(), c =>
        {
            Assert.Contains(c.GetProperty("app_type").GetString(), new[] { "native", "regular_web" });
            Assert.Equal(["app_type", "client_id"], c.EnumerateObject().Select(p => p.Name).Order().ToArray());
        });
        Assert.Contains(natives.EnumerateArray(), c => c.GetProperty("client_id").GetString() == SandboxSeed.MobileAppClientId);
    }

    [Fact]
    public async Task Unknown_client_is_404_with_Auth0s_body_and_missing_token_is_401()
    {
        using var api = await ManagementClientAsync();
        using var anonymous = Host.CreateHttpClient();

        using var missing = await api.GetAsync("clients/nope");
        using var unauthenticated = await anonymous.GetAsync("api/v2/clients");
        anonymous.WithBearer("not-a-jwt");
        using var garbage = await anonymous.GetAsync("api/v2/clients");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("""{"statusCode":404,"error":"Not Found","message":"The client does not exist","errorCode":"inexistent_client"}""",
            await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        TestSandbox.AssertManagementError(await unauthenticated.ReadJsonAsync(), 401, "Missing authentication", null);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        TestSandbox.AssertManagementError(await garbage.ReadJsonAsync(), 401, "Invalid token", null);
    }

    [Fact]
    public async Task Insufficient_scope_is_403_with_the_expected_scopes()
    {
        using var readOnly = await ManagementClientAsync("read:clients");
        using var updateOnly = await ManagementClientAsync("update:clients");

        using var rotate = await readOnly.PostAsync($"clients/{SandboxSeed.PaymentsWorkerClientId}/rotate-secret", null);
        using var list = await updateOnly.GetAsync("clients");
        using var secret = await updateOnly.PatchJsonAsync($"clients/{SandboxSeed.PaymentsWorkerClientId}", new { client_secret = new string('s', 48) });

        Assert.Equal(HttpStatusCode.Forbidden, rotate.StatusCode);
        TestSandbox.AssertManagementError(await rotate.ReadJsonAsync(), 403, "Insufficient scope, expected any of: update:client_keys", "insufficient_scope");
        TestSandbox.AssertManagementError(await list.ReadJsonAsync(), 403,
            "Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary", "insufficient_scope");
        TestSandbox.AssertManagementError(await secret.ReadJsonAsync(), 403, "Insufficient scope, expected any of: update:client_keys", "insufficient_scope");
        Assert.Equal(SandboxSeed.PaymentsWorkerClientSecret, Host.Tenant.GetClientSecret(SandboxSeed.PaymentsWorkerClientId));
    }

    [Fact]
    public async Task Read_scopes_decide_which_fields_are_visible()
    {
        using var clientsOnly = await ManagementClientAsync("read:clients");
        using var credentialsOnly = await ManagementClientAsync("read:client_credentials");

        var settings = await (await clientsOnly.GetAsync($"clients/{SandboxSeed.BillingServiceClientId}")).ReadJsonAsync();
        var keys = await (await credentialsOnly.GetAsync($"clients/{SandboxSeed.BillingServiceClientId}")).ReadJsonAsync();

        Assert.False(settings.TryGetProperty("client_secret", out _));
        Assert.True(settings.TryGetProperty("grant_types", out _));
        Assert.True(keys.TryGetProperty("client_secret", out _));
        Assert.False(keys.TryGetProperty("grant_types", out _));
        Assert.Equal("Billing service", keys.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Rotate_secret_returns_the_full_client_with_a_new_secret_and_is_refused_for_private_key_jwt()
    {
        var client = Host.Tenant.CreateClient("Rotating");
        using var api = await ManagementClientAsync();

        using var rotated = await api.PostAsync($"clients/{client.ClientId}/rotate-secret", null);
        using var refused = await api.PostAsync($"clients/{SandboxSeed.LedgerSyncClientId}/rotate-secret", null);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.ReadJsonAsync();
        var newSecret = body.GetProperty("client_secret").GetString();
        Assert.NotEqual(client.ClientSecret, newSecret);
        Assert.Equal(64, newSecret!.Length);
        Assert.Equal(newSecret, Host.Tenant.GetClientSecret(client.ClientId));
        Assert.Equal("Rotating", body.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(400, (await refused.ReadJsonAsync()).GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Auth_method_members_are_mutually_exclusive_and_need_explicit_nulls()
    {
        var client = Host.Tenant.CreateClient("Switching");
        var key = Host.Tenant.AddPrivateKeyJwtCredential(client.ClientId, attach: false);
        using var api = await ManagementClientAsync();
        var path = $"clients/{client.ClientId}";
        var attach = new { private_key_jwt = new { credentials = new[] { new { id = key.CredentialId } } } };

        using var withoutNull = await api.PatchJsonAsync(path, new { client_authentication_methods = attach });
        using var bothNull = await api.PatchJsonAsync(path, new Dictionary<string, object?> { ["token_endpoint_auth_method"] = null, ["client_authentication_methods"] = null });
        using var switched = await api.PatchJsonAsync(path, new Dictionary<string, object?> { ["token_endpoint_auth_method"] = null, ["client_authentication_methods"] = attach });
        using var backWithoutNull = await api.PatchJsonAsync(path, new { token_endpoint_auth_method = "client_secret_post" });
        using var back = await api.PatchJsonAsync(path, new Dictionary<string, object?> { ["token_endpoint_auth_method"] = "client_secret_basic", ["client_authentication_methods"] = null });

        Assert.Equal(HttpStatusCode.BadRequest, withoutNull.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bothNull.StatusCode);
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        var switchedBody = await switched.ReadJsonAsync();
        Assert.False(switchedBody.TryGetProperty("client_secret", out _));
        Assert.False(switchedBody.TryGetProperty("token_endpoint_auth_method", out _));
        Assert.Equal(key.CredentialId, switchedBody.GetProperty("client_authentication_methods")
            .GetProperty("private_key_jwt").GetProperty("credentials")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, backWithoutNull.StatusCode);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        var backBody = await back.ReadJsonAsync();
        Assert.Equal(client.ClientSecret, backBody.GetProperty("client_secret").GetString());
        Assert.Equal("client_secret_basic", backBody.GetProperty("token_endpoint_auth_method").GetString());
        Assert.False(backBody.TryGetProperty("client_authentication_methods", out _));
    }

    [Fact]
    public async Task Unknown_members_and_bad_types_are_payload_validation_errors()
    {
        using var api = await ManagementClientAsync();
        var path = $"clients/{SandboxSeed.BillingServiceClientId}";

        using var unknown = await api.PatchJsonAsync(path, new { client_id = "x" });
        using var badEnum = await api.PatchJsonAsync(path, new { token_endpoint_auth_method = "private_key_jwt" });
        using var notJson = await api.PatchAsync(path, new StringContent("{", System.Text.Encoding.UTF8, "application/json"));

        TestSandbox.AssertManagementError(await unknown.ReadJsonAsync(), 400, "Payload validation error: 'Additional properties not allowed: client_id'.", "invalid_body");
        Assert.Equal("invalid_body", (await badEnum.ReadJsonAsync()).GetProperty("errorCode").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task Custom_client_secrets_need_48_characters_from_letters_digits_and_underscore_dash_plus_equals_dot()
    {
        using var api = await ManagementClientAsync();
        var path = $"clients/{SandboxSeed.CustomerPortalClientId}";
        var before = Host.Tenant.GetClientSecret(SandboxSeed.CustomerPortalClientId);

        using var tooShort = await api.PatchJsonAsync(path, new { client_secret = "abcde" });
        using var oneShort = await api.PatchJsonAsync(path, new { client_secret = new string('a', 47) });
        using var space = await api.PatchJsonAsync(path, new { client_secret = new string('a', 47) + " " });
        using var bang = await api.PatchJsonAsync(path, new { client_secret = "!" + new string('a', 60) });
        using var nonAscii = await api.PatchJsonAsync(path, new { client_secret = "é" + new string('a', 60) });

        const string property = " on property client_secret (The secret used to sign tokens for the client).";
        TestSandbox.AssertManagementError(await tooShort.ReadJsonAsync(), 400,
            "Payload validation error: 'String is too short (5 chars), minimum 48'" + property, "invalid_body");
        TestSandbox.AssertManagementError(await oneShort.ReadJsonAsync(), 400,
            "Payload validation error: 'String is too short (47 chars), minimum 48'" + property, "invalid_body");
        foreach (var refused in new[] { space, bang, nonAscii })
        {
            TestSandbox.AssertManagementError(await refused.ReadJsonAsync(), 400,
                "Payload validation error: 'String does not match pattern ^[a-zA-Z0-9_+=.-]+$'" + property, "invalid_body");
        }

        Assert.Equal(before, Host.Tenant.GetClientSecret(SandboxSeed.CustomerPortalClientId));
        var everyCharacter = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.";
        using var accepted = await api.PatchJsonAsync(path, new { client_secret = everyCharacter });
        using var shortest = await api.PatchJsonAsync(path, new { client_secret = everyCharacter[..48] });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shortest.StatusCode);
        Assert.Equal(everyCharacter[..48], Host.Tenant.GetClientSecret(SandboxSeed.CustomerPortalClientId));
    }

    [Fact]
    public async Task Unknown_management_paths_are_404()
    {
        using var api = await ManagementClientAsync();

        using var response = await api.GetAsync("users");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>The propagation window needs a controlled clock, so these tests get their own host.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class SecretPropagationTests
{
    [Fact]
    public async Task After_a_PATCH_the_old_secret_works_during_the_window_and_fails_after_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestSandbox.StartAsync(o => o.PropagationWindow = TimeSpan.FromSeconds(30), clock);
        using var http = host.CreateHttpClient();
        var token = await http.ManagementTokenAsync(host);
        using var api = host.CreateHttpClient().WithBearer(token);
        var newSecret = "new-secret-" + new string('x', 48);

        using var patched = await api.PatchJsonAsync($"api/v2/clients/{SandboxSeed.PaymentsWorkerClientId}", new { client_secret = newSecret });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(newSecret, (await patched.ReadJsonAsync()).GetProperty("client_secret").GetString());

        async Task<HttpStatusCode> TryAsync(string secret)
        {
            using var response = await http.ClientCredentialsAsync(host, SandboxSeed.PaymentsWorkerClientId, secret, SandboxSeed.PaymentsApiIdentifier);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await TryAsync(SandboxSeed.PaymentsWorkerClientSecret));
        Assert.Equal(HttpStatusCode.OK, await TryAsync(newSecret));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, await TryAsync(SandboxSeed.PaymentsWorkerClientSecret));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Unauthorized, await TryAsync(SandboxSeed.PaymentsWorkerClientSecret));
        Assert.Equal(HttpStatusCode.OK, await TryAsync(newSecret));
    }

    [Fact]
    public async Task With_no_window_rotate_secret_kills_the_old_secret_at_once()
    {
        await using var host = await TestSandbox.StartAsync();
        using var http = host.CreateHttpClient();
        var newSecret = host.Tenant.RotateClientSecret(SandboxSeed.BillingServiceClientId);

        using var old = await http.ClientCredentialsAsync(host, SandboxSeed.BillingServiceClientId, SandboxSeed.BillingServiceClientSecret, SandboxSeed.PaymentsApiIdentifier);
        using var fresh = await http.ClientCredentialsAsync(host, SandboxSeed.BillingServiceClientId, newSecret, SandboxSeed.PaymentsApiIdentifier);

        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }
}
