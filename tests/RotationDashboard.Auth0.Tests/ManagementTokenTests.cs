using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Auth0.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static RotationDashboard.Auth0.Tests.Infrastructure.FakeAuth0Server;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class ManagementTokenTests
{
    private const string ClientsJson = """{"start":0,"limit":50,"total":0,"clients":[]}""";

    [Fact]
    public async Task One_token_serves_many_calls_and_is_sent_as_bearer_with_form_encoded_request()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", Json(200, ClientsJson));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server, "mgmt-client", "s3cret+/=value");

        for (var i = 0; i < 5; i++)
            await client.ListClientsAsync(new ListClientsRequest());

        var tokenRequest = Assert.Single(server.Find("POST", "oauth/token"));
        Assert.Equal("application/x-www-form-urlencoded", tokenRequest.ContentType);
        Assert.Equal("client_credentials", tokenRequest.Form["grant_type"]);
        Assert.Equal("mgmt-client", tokenRequest.Form["client_id"]);
        Assert.Equal("s3cret+/=value", tokenRequest.Form["client_secret"]);
        Assert.Equal(server.BaseUrl + "api/v2/", tokenRequest.Form["audience"]);
        Assert.All(server.Find("GET", "api/v2/clients"), r => Assert.Equal("Bearer mgmt-token-1", r.Authorization));
    }

    [Fact]
    public async Task Token_is_refreshed_shortly_before_it_expires()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", Json(200, ClientsJson));
        server.TokenExpiresInSeconds = 3600;
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-21T10:00:00Z"));
        await using var host = new Auth0TestHost(o => o.TokenRefreshMargin = TimeSpan.FromMinutes(1), clock);
        var client = host.ClientFor(server);

        await client.ListClientsAsync(new ListClientsRequest());
        clock.Advance(TimeSpan.FromMinutes(58));
        await client.ListClientsAsync(new ListClientsRequest());
        Assert.Equal(1, server.TokensIssued);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1)); // inside the 60 s margin
        await client.ListClientsAsync(new ListClientsRequest());

        Assert.Equal(2, server.TokensIssued);
        Assert.Equal("Bearer mgmt-token-2", server.Find("GET", "api/v2/clients").Last().Authorization);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_request()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", Json(200, ClientsJson));
        server.TokenDelay = TimeSpan.FromMilliseconds(200);
        await using var host = new Auth0TestHost();
        server.ClientSecrets["mgmt-client"] = "secret-1";
        var connection = new Auth0ConnectionSettings(server.Tenant, "mgmt-client", "secret-1");

        // Separate client instances from the same factory, as separate rotations would use.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Factory.Create(connection).ListClientsAsync(new ListClientsRequest())));

        Assert.Equal(1, server.Count("POST", "oauth/token"));
        Assert.Equal(20, server.Count("GET", "api/v2/clients"));
    }

    [Fact]
    public async Task A_changed_secret_gets_its_own_token()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", Json(200, ClientsJson));
        await using var host = new Auth0TestHost();

        await host.ClientFor(server, "mgmt-client", "old-secret").ListClientsAsync(new ListClientsRequest());
        await host.ClientFor(server, "mgmt-client", "new-secret").ListClientsAsync(new ListClientsRequest());

        Assert.Equal(["old-secret", "new-secret"], server.Find("POST", "oauth/token").Select(r => r.Form["client_secret"]));
    }

    [Fact]
    public async Task Granted_scopes_come_from_the_token_response()
    {
        await using var server = await StartAsync();
        server.TokenScope = "read:clients  update:client_keys read:client_credentials";
        await using var host = new Auth0TestHost();

        var scopes = await host.ClientFor(server).GetGrantedScopesAsync();

        Assert.Equal(["read:client_credentials", "read:clients", "update:client_keys"], scopes.Order(StringComparer.Ordinal));
        var missing = Auth0ManagementScopes.FindMissing(scopes);
        Assert.Contains("delete:client_credentials", missing);
        Assert.DoesNotContain("read:clients", missing);
    }

    [Fact]
    public async Task A_wrong_secret_fails_once_for_all_concurrent_callers_and_is_not_cached()
    {
        await using var server = await StartAsync();
        server.TokenDelay = TimeSpan.FromMilliseconds(100);
        server.ClientSecrets["mgmt-client"] = "right";
        await using var host = new Auth0TestHost();
        var client = host.Factory.Create(new Auth0ConnectionSettings(server.Tenant, "mgmt-client", "wrong-secret-value"));

        var failures = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            Assert.ThrowsAsync<Auth0ApiException>(() => client.GetGrantedScopesAsync())));

        Assert.Equal(1, server.Count("POST", "oauth/token"));
        Assert.All(failures, f =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, f.StatusCode);
            Assert.Equal("access_denied", f.Error);
            Assert.Equal("Unauthorized", f.ApiMessage);
            Assert.False(f.IsTransient);
            Assert.Equal("POST", f.Method);
            Assert.Equal(server.Tenant.TokenEndpoint.AbsolutePath, f.Path);
            Assert.DoesNotContain("wrong-secret-value", f.ToString());
        });

        await Assert.ThrowsAsync<Auth0ApiException>(() => client.GetGrantedScopesAsync());
        Assert.Equal(2, server.Count("POST", "oauth/token"));
    }

    [Fact]
    public async Task A_rejected_cached_token_is_replaced_once()
    {
        await using var server = await StartAsync();
        server.Script("GET", "api/v2/clients/abc",
            Json(200, """{"client_id":"abc"}"""),
            ManagementError(401, "Unauthorized", "Expired token"));
        server.On("GET", "api/v2/clients/abc", Json(200, """{"client_id":"abc"}"""));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);

        await client.GetClientAsync("abc");
        var again = await client.GetClientAsync("abc");

        Assert.Equal("abc", again.ClientId);
        Assert.Equal(2, server.TokensIssued);
        Assert.Equal(
            ["Bearer mgmt-token-1", "Bearer mgmt-token-1", "Bearer mgmt-token-2"],
            server.Find("GET", "api/v2/clients/abc").Select(r => r.Authorization));
    }
}
