using RotationDashboard.Testing;
using System.Net;
using System.Text;
using RotationDashboard.Auth0.Tests.Infrastructure;
using static RotationDashboard.Auth0.Tests.Infrastructure.FakeAuth0Server;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class TokenClientTests
{
    [Theory]
    [InlineData(200, null, TokenCheckOutcome.Valid)]
    [InlineData(401, "access_denied", TokenCheckOutcome.InvalidCredential)]
    [InlineData(401, "invalid_client", TokenCheckOutcome.InvalidCredential)]
    [InlineData(403, "access_denied", TokenCheckOutcome.AuthenticatedNotAuthorized)]
    [InlineData(403, "unauthorized_client", TokenCheckOutcome.AuthenticatedNotAuthorized)]
    [InlineData(429, "too_many_requests", TokenCheckOutcome.Transient)]
    [InlineData(500, "server_error", TokenCheckOutcome.Transient)]
    [InlineData(503, null, TokenCheckOutcome.Transient)]
    [InlineData(400, "invalid_request", TokenCheckOutcome.Rejected)]
    [InlineData(404, null, TokenCheckOutcome.Rejected)]
    public async Task Token_answers_are_classified(int status, string? error, TokenCheckOutcome expected)
    {
        await using var server = await StartAsync();
        server.On("POST", "oauth/token", status == 200
            ? Json(200, """{"access_token":"eyJ.token","token_type":"Bearer","expires_in":86400,"scope":"read:things"}""")
            : error is null
                ? Json(status, "")
                : AuthenticationError(status, error, $"description of {error}", ("x-ratelimit-limit", "30"), ("x-ratelimit-remaining", "0")));
        await using var host = new Auth0TestHost();

        var result = await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", "the-secret");

        Assert.Equal(expected, result.Outcome);
        Assert.Equal((HttpStatusCode)status, result.Check.StatusCode);
        Assert.Equal(1, server.Count("POST", "oauth/token")); // a verification request is never retried here
        if (status == 200)
        {
            Assert.Equal("eyJ.token", result.AccessToken);
            Assert.Equal(TimeSpan.FromDays(1), result.ExpiresIn);
            Assert.Equal(["read:things"], result.Scopes!);
        }
        else
        {
            Assert.Null(result.AccessToken);
            Assert.Equal(error, result.Check.Error);
            if (error is not null)
            {
                Assert.Equal($"description of {error}", result.Check.ErrorDescription);
                Assert.Equal(0, result.Check.RateLimit?.Remaining);
            }
        }

        Assert.Equal(expected is TokenCheckOutcome.Valid or TokenCheckOutcome.AuthenticatedNotAuthorized, result.Check.CredentialAccepted);
    }

    [Fact]
    public async Task Client_secret_post_and_basic_send_the_secret_where_Auth0_expects_it()
    {
        await using var server = await StartAsync();
        server.On("POST", "oauth/token", Json(200, """{"access_token":"t","expires_in":60}"""));
        await using var host = new Auth0TestHost();

        await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", "p+s/=", ClientSecretAuthentication.ClientSecretPost);
        await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", "p+s/=", ClientSecretAuthentication.ClientSecretBasic,
            audience: "https://api.example.com");

        var (post, basic) = (server.Requests.ElementAt(0), server.Requests.ElementAt(1));
        Assert.Equal("p+s/=", post.Form["client_secret"]);
        Assert.Null(post.Authorization);
        Assert.Equal(server.Tenant.ManagementApiAudience, post.Form["audience"]);
        Assert.False(basic.Form.ContainsKey("client_secret"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("app1:p+s/=")), basic.Authorization);
        Assert.Equal("app1", basic.Form["client_id"]);
        Assert.Equal("https://api.example.com", basic.Form["audience"]);  // identifiers are exact: no slash added
    }

    [Fact]
    public async Task A_network_failure_is_transient_not_an_exception()
    {
        var server = await StartAsync();
        var tenant = server.Tenant;
        await server.DisposeAsync();
        await using var host = new Auth0TestHost();

        var result = await host.TokenClient.RequestTokenWithSecretAsync(tenant, "app1", "secret-value-xyz");

        Assert.Equal(TokenCheckOutcome.Transient, result.Outcome);
        Assert.Equal("network_error", result.Check.Error);
        Assert.Null(result.Check.StatusCode);
        Assert.DoesNotContain("secret-value-xyz", result.ToString());
    }

    [Fact]
    public async Task A_slow_token_endpoint_is_a_transient_timeout()
    {
        await using var server = await StartAsync();
        server.On("POST", "oauth/token", Delayed(TimeSpan.FromSeconds(5), Json(200, """{"access_token":"t"}""")));
        await using var host = new Auth0TestHost(o => o.RequestTimeout = TimeSpan.FromMilliseconds(200));

        var result = await host.TokenClient.RequestTokenWithSecretAsync(server.Tenant, "app1", "secret");

        Assert.Equal(TokenCheckOutcome.Transient, result.Outcome);
        Assert.Equal("timeout", result.Check.Error);
    }

    [Fact]
    public async Task Verifier_checks_a_secret_and_a_private_key()
    {
        await using var server = await StartAsync("tenant-under-path");
        var keys = TestKeys.First;
        server.ClientSecrets["app1"] = "good-secret";
        server.On("POST", "oauth/token", async (request, context) =>
        {
            var form = request.Form;
            if (form.TryGetValue("client_assertion", out var assertion))
            {
                // Validate like Auth0 would: signature with the stored public key, audience with trailing slash.
                var validation = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(assertion,
                    new Microsoft.IdentityModel.Tokens.TokenValidationParameters
                    {
                        ValidIssuer = "app1",
                        ValidAudience = server.BaseUrl.AbsoluteUri,
                        IssuerSigningKey = ClientAssertionTests.PublicKey(keys.PublicKeyPem),
                    });
                await (validation.IsValid
                    ? Json(403, """{"error":"access_denied","error_description":"Client is not authorized to access the API"}""")
                    : AuthenticationError(401, "invalid_client", "Invalid assertion"))(request, context);
                return;
            }

            await (form.GetValueOrDefault("client_secret") == "good-secret"
                ? Json(200, """{"access_token":"t","expires_in":60}""")
                : AuthenticationError(401, "access_denied", "Unauthorized"))(request, context);
        });
        await using var host = new Auth0TestHost();
        var otherKeys = TestKeys.Second;

        var goodSecret = await host.Verifier.VerifyClientSecretAsync(server.Tenant, "app1", "good-secret");
        var badSecret = await host.Verifier.VerifyClientSecretAsync(server.Tenant, "app1", "bad-secret");
        var goodKey = await host.Verifier.VerifyPrivateKeyAsync(server.Tenant, "app1", keys.PrivateKeyPem, keyId: keys.KeyId);
        var badKey = await host.Verifier.VerifyPrivateKeyAsync(server.Tenant, "app1", otherKeys.PrivateKeyPem);

        Assert.Equal(TokenCheckOutcome.Valid, goodSecret.Outcome);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, badSecret.Outcome);
        Assert.Equal("access_denied", badSecret.Error);
        Assert.Equal(TokenCheckOutcome.AuthenticatedNotAuthorized, goodKey.Outcome);
        Assert.True(goodKey.CredentialAccepted);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, badKey.Outcome);

        var assertionRequest = server.Requests.First(r => r.Form.ContainsKey("client_assertion"));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", assertionRequest.Form["client_assertion_type"]);
        Assert.Equal("client_credentials", assertionRequest.Form["grant_type"]);
        Assert.Equal("app1", assertionRequest.Form["client_id"]);
        Assert.False(assertionRequest.Form.ContainsKey("client_secret"));
    }
}
