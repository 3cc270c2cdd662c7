using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Auth0.Tests.Infrastructure;
using static RotationDashboard.Auth0.Tests.Infrastructure.FakeAuth0Server;

namespace RotationDashboard.Auth0.Tests;

/// <summary>No secret, token or private key appears in exceptions, ToString() or logs, even when Auth0 echoes one.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class SecretHygieneTests
{
    private const string ConnectionSecret = "CONNECTION-secret-aaaaaaaaaaaaaaaaaaaaaaaa";
    private const string NewClientSecret = "NEW-client-secret-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public async Task Errors_that_echo_a_secret_are_scrubbed_everywhere()
    {
        await using var server = await StartAsync();
        server.On("PATCH", "api/v2/clients/app1", ManagementError(400, "Bad Request",
            $"Payload validation error: 'client_secret' {NewClientSecret} is not allowed (connection {ConnectionSecret})", "invalid_body"));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server, "mgmt-client", ConnectionSecret);

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() =>
            client.UpdateClientAsync("app1", ClientPatch.SetClientSecret(NewClientSecret)));

        foreach (var text in new[] { error.ToString(), error.Message, error.ApiMessage!, host.Logs.AllText() })
        {
            Assert.DoesNotContain(NewClientSecret, text);
            Assert.DoesNotContain(ConnectionSecret, text);
            Assert.DoesNotContain("mgmt-token-1", text);
        }

        Assert.Contains("***", error.ApiMessage);
        Assert.Contains("Payload validation error", error.Message);
    }

    [Fact]
    public async Task Query_strings_never_reach_exceptions_or_logs()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients", ManagementError(400, "Bad Request", "bad query", "invalid_query_string"));
        await using var host = new Auth0TestHost();

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() =>
            host.ClientFor(server).ListClientsAsync(new ListClientsRequest { Fields = ["sensitive-looking-field"] }));

        Assert.Equal("/api/v2/clients", error.Path);
        Assert.DoesNotContain("sensitive-looking-field", error.ToString());
        Assert.DoesNotContain("sensitive-looking-field", host.Logs.AllText());
    }

    [Fact]
    public async Task Successful_flows_log_no_token_or_secret()
    {
        await using var server = await StartAsync();
        server.On("POST", "api/v2/clients/app1/rotate-secret", Json(200, $$"""{"client_id":"app1","client_secret":"{{NewClientSecret}}"}"""));
        server.ClientSecrets["app1"] = NewClientSecret;
        await using var host = new Auth0TestHost();

        var rotated = await host.ClientFor(server, "mgmt-client", ConnectionSecret).RotateClientSecretAsync("app1");
        var verified = await host.Verifier.VerifyClientSecretAsync(server.Tenant, "app1", NewClientSecret);
        var token = await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", NewClientSecret);

        Assert.Equal(TokenCheckOutcome.Valid, verified.Outcome);
        Assert.NotNull(token.AccessToken);
        foreach (var text in new[] { host.Logs.AllText(), rotated.ToString(), verified.ToString(), token.ToString() })
        {
            Assert.DoesNotContain(NewClientSecret, text);
            Assert.DoesNotContain(ConnectionSecret, text);
            Assert.DoesNotContain(token.AccessToken!, text);
            Assert.DoesNotContain("mgmt-token-1", text);
        }

        Assert.Contains(host.Logs.GetSnapshot(), e => e.Message.Contains("Obtained an Auth0 Management API token"));
    }

    [Fact]
    public void ToString_of_every_carrier_of_a_secret_redacts_it()
    {
        var keys = TestKeys.First;
        var connection = new Auth0ConnectionSettings(Auth0TenantAddress.Parse("t.auth0.com"), "id", ConnectionSecret);
        var client = new Auth0Client { ClientId = "id", ClientSecret = NewClientSecret };
        var patch = ClientPatch.SetClientSecret(NewClientSecret);
        using var assertionKey = ClientAssertionKey.FromPem(keys.PrivateKeyPem);

        Assert.DoesNotContain(ConnectionSecret, connection.ToString());
        Assert.DoesNotContain(NewClientSecret, client.ToString());
        Assert.DoesNotContain(NewClientSecret, patch.ToString());
        Assert.Contains("client_secret = ***", patch.ToString());
        Assert.DoesNotContain("PRIVATE KEY", keys.ToString());
        Assert.DoesNotContain("PRIVATE KEY", assertionKey.ToString());
        Assert.Equal(HttpStatusCode.OK, HttpStatusCode.OK);
    }
}
