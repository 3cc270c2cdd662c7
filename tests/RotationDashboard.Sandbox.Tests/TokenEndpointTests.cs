using RotationDashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class TokenEndpointTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    [Fact]
    public async Task Client_secret_post_gets_an_RS256_management_token_with_the_granted_scopes()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(86400, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(string.Join(' ', SandboxSeed.DashboardScopes), body.GetProperty("scope").GetString());

        var jwt = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal(Host.BaseUrl.AbsoluteUri, jwt.Issuer);
        Assert.Equal([Host.ManagementApiUrl.AbsoluteUri], jwt.Audiences);
        Assert.Equal(string.Join(' ', SandboxSeed.DashboardScopes), jwt.GetPayloadValue<string>("scope"));
        Assert.True(jwt.ValidTo > DateTime.UtcNow.AddHours(23));
    }

    [Fact]
    public async Task Client_secret_basic_works()
    {
        using var http = Host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["audience"] = SandboxSeed.PaymentsApiIdentifier,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(
            Encoding.UTF8.GetBytes($"{SandboxSeed.PaymentsWorkerClientId}:{SandboxSeed.PaymentsWorkerClientSecret}")));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("read:payments write:payments", (await response.ReadJsonAsync()).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_JSON_body_is_accepted_too()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.PostAsJsonAsync("oauth/token", new
        {
            grant_type = "client_credentials",
            client_id = SandboxSeed.DashboardClientId,
            client_secret = SandboxSeed.DefaultDashboardClientSecret,
            audience = Host.ManagementApiUrl.AbsoluteUri,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(SandboxSeed.DashboardClientId, "not-the-secret")]
    [InlineData("no-such-client", "whatever")]
    public async Task A_wrong_secret_or_unknown_client_gets_401_access_denied_Unauthorized(string clientId, string secret)
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.ClientCredentialsAsync(Host, clientId, secret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":"access_denied","error_description":"Unauthorized"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_audience_gets_403_service_not_found()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret, "https://nowhere.test/api");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("access_denied", body.GetProperty("error").GetString());
        Assert.Equal("Service not found: https://nowhere.test/api", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_client_without_a_grant_gets_403_with_Auth0s_message()
    {
        using var http = Host.CreateHttpClient();
        using var response = await http.ClientCredentialsAsync(Host, SandboxSeed.PaymentsWorkerClientId, SandboxSeed.PaymentsWorkerClientSecret);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("access_denied", body.GetProperty("error").GetString());
        Assert.Equal(
            $"Client is not authorized to access \"{Host.ManagementApiUrl.AbsoluteUri}\". You need to create a \"client-grant\" associated to this API.",
            body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Requesting_scopes_beyond_the_grant_is_refused_and_a_subset_narrows_the_token()
    {
        using var http = Host.CreateHttpClient();
        using var tooMuch = await http.RequestTokenAsync(
            ("grant_type", "client_credentials"), ("client_id", SandboxSeed.BillingServiceClientId),
            ("client_secret", SandboxSeed.BillingServiceClientSecret), ("audience", SandboxSeed.PaymentsApiIdentifier),
            ("scope", "read:payments write:payments"));
        using var subset = await http.RequestTokenAsync(
            ("grant_type", "client_credentials"), ("client_id", SandboxSeed.DashboardClientId),
            ("client_secret", SandboxSeed.DefaultDashboardClientSecret), ("audience", Host.ManagementApiUrl.AbsoluteUri),
            ("scope", "read:clients"));

        Assert.Equal(HttpStatusCode.Forbidden, tooMuch.StatusCode);
        Assert.Equal("Client has not been granted scopes: write:payments", (await tooMuch.ReadJsonAsync()).GetProperty("error_description").GetString());
        Assert.Equal("read:clients", (await subset.ReadJsonAsync()).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Grant_type_problems_are_400_and_403()
    {
        using var http = Host.CreateHttpClient();
        using var missing = await http.RequestTokenAsync(("client_id", SandboxSeed.DashboardClientId));
        using var unsupported = await http.RequestTokenAsync(("grant_type", "password"));
        using var notAllowed = await http.RequestTokenAsync(
            ("grant_type", "client_credentials"), ("client_id", SandboxSeed.MobileAppClientId), ("audience", Host.ManagementApiUrl.AbsoluteUri));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("invalid_request", (await missing.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        Assert.Equal("unsupported_grant_type", (await unsupported.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        Assert.Equal("unauthorized_client", (await notAllowed.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_private_key_jwt_client_cannot_use_its_secret()
    {
        var client = Host.Tenant.CreateClient("Keyed", authMethod: SandboxAuthMethod.PrivateKeyJwt, managementScopes: ["read:clients"]);
        using var http = Host.CreateHttpClient();

        using var response = await http.ClientCredentialsAsync(Host, client.ClientId, client.ClientSecret!);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_and_jwks_describe_the_tenant_and_verify_its_tokens()
    {
        using var http = Host.CreateHttpClient();
        var discovery = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(".well-known/openid-configuration");
        var jwks = await http.GetStringAsync(".well-known/jwks.json");
        var token = await http.ManagementTokenAsync(Host);

        Assert.Equal(Host.BaseUrl.AbsoluteUri, discovery.GetProperty("issuer").GetString());
        Assert.Equal(Host.TokenEndpoint.AbsoluteUri, discovery.GetProperty("token_endpoint").GetString());
        var key = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(jwks).Keys.Single();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = Host.BaseUrl.AbsoluteUri,
            ValidAudience = Host.ManagementApiUrl.AbsoluteUri,
            IssuerSigningKey = key,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }
}
