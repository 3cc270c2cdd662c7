using RotationDashboard.Testing;
using System.Net;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class ClientAssertionTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    private Task<HttpResponseMessage> ExchangeAsync(HttpClient http, string clientId, string assertion, bool sendClientId = true)
    {
        var parameters = new List<(string, string)>
        {
            ("grant_type", "client_credentials"),
            ("client_assertion_type", SandboxClientAssertion.AssertionType),
            ("client_assertion", assertion),
            ("audience", Host.ManagementApiUrl.AbsoluteUri),
        };
        if (sendClientId)
            parameters.Add(("client_id", clientId));
        return http.RequestTokenAsync(parameters.ToArray());
    }

    private SandboxCreatedClient NewKeyedClient() =>
        Host.Tenant.CreateClient("Keyed " + Guid.NewGuid().ToString("N")[..6], authMethod: SandboxAuthMethod.PrivateKeyJwt, managementScopes: ["read:clients"]);

    [Fact]
    public async Task A_valid_assertion_is_accepted_and_its_jti_cannot_be_replayed()
    {
        var client = NewKeyedClient();
        var assertion = client.KeyPair!.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow);
        using var http = Host.CreateHttpClient();

        using var first = await ExchangeAsync(http, client.ClientId, assertion);
        using var replay = await ExchangeAsync(http, client.ClientId, assertion);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("read:clients", (await first.ReadJsonAsync()).GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("access_denied", (await replay.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_seeded_ledger_sync_app_can_sign_with_its_seeded_key_without_kid_or_client_id()
    {
        var keyPair = Host.Tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;
        var assertion = keyPair.CreateClientAssertion(SandboxSeed.LedgerSyncClientId, Host.BaseUrl, DateTimeOffset.UtcNow, includeKid: false);
        using var http = Host.CreateHttpClient();

        using var response = await http.RequestTokenAsync(
            ("grant_type", "client_credentials"),
            ("client_assertion_type", SandboxClientAssertion.AssertionType),
            ("client_assertion", assertion),
            ("audience", SandboxSeed.PaymentsApiIdentifier));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("PS256")]
    [InlineData("RS384")]
    public async Task Other_allowed_algorithms_work_when_the_credential_says_so(string alg)
    {
        var client = NewKeyedClient();
        var key = Host.Tenant.AddPrivateKeyJwtCredential(client.ClientId, attach: false, alg: alg);
        Host.Tenant.AttachCredentials(client.ClientId, key.CredentialId);
        using var http = Host.CreateHttpClient();

        using var response = await ExchangeAsync(http, client.ClientId, key.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Expired_too_long_wrong_audience_and_future_assertions_are_refused()
    {
        var client = NewKeyedClient();
        var key = client.KeyPair!;
        var now = DateTimeOffset.UtcNow;
        var assertions = new[]
        {
            key.CreateClientAssertion(client.ClientId, Host.BaseUrl, now.AddMinutes(-10)),                 // expired
            key.CreateClientAssertion(client.ClientId, Host.BaseUrl, now, TimeSpan.FromMinutes(10)),        // lifetime > 5 min
            key.CreateClientAssertion(client.ClientId, Host.ManagementApiUrl, now),                        // wrong aud
            SandboxClientAssertion.Create(client.ClientId, key.PrivateKeyPem, key.Alg, key.Kid, Host.BaseUrl.AbsoluteUri.TrimEnd('/'), now, TimeSpan.FromMinutes(1)),
            key.CreateClientAssertion(client.ClientId, Host.BaseUrl, now.AddMinutes(2)),                   // iat in the future
            SandboxClientAssertion.Create(client.ClientId, key.PrivateKeyPem, key.Alg, "some-other-kid", Host.BaseUrl.AbsoluteUri, now, TimeSpan.FromMinutes(1)),
            SandboxClientAssertion.Create(client.ClientId, key.PrivateKeyPem, "RS384", key.Kid, Host.BaseUrl.AbsoluteUri, now, TimeSpan.FromMinutes(1)),
        };
        using var http = Host.CreateHttpClient();

        foreach (var assertion in assertions)
        {
            using var response = await ExchangeAsync(http, client.ClientId, assertion);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var valid = await ExchangeAsync(http, client.ClientId, key.CreateClientAssertion(client.ClientId, Host.BaseUrl, now));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task A_key_that_is_stored_but_not_attached_is_refused_until_attached()
    {
        var client = NewKeyedClient();
        var unattached = Host.Tenant.AddPrivateKeyJwtCredential(client.ClientId, attach: false);
        using var http = Host.CreateHttpClient();

        using var before = await ExchangeAsync(http, client.ClientId, unattached.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow));
        Host.Tenant.AttachCredentials(client.ClientId, client.KeyPair!.CredentialId, unattached.CredentialId);
        using var after = await ExchangeAsync(http, client.ClientId, unattached.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task An_expired_credential_no_longer_authenticates()
    {
        var client = NewKeyedClient();
        var shortLived = Host.Tenant.AddPrivateKeyJwtCredential(client.ClientId, expiresAt: DateTimeOffset.UtcNow.AddSeconds(-1));
        using var http = Host.CreateHttpClient();

        using var response = await ExchangeAsync(http, client.ClientId, shortLived.CreateClientAssertion(client.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_secret_client_cannot_use_an_assertion_and_a_mismatched_client_id_is_refused()
    {
        var keyed = NewKeyedClient();
        using var http = Host.CreateHttpClient();
        var assertion = keyed.KeyPair!.CreateClientAssertion(keyed.ClientId, Host.BaseUrl, DateTimeOffset.UtcNow);

        using var mismatched = await ExchangeAsync(http, SandboxSeed.DashboardClientId, assertion);
        using var forged = await ExchangeAsync(http, SandboxSeed.DashboardClientId,
            keyed.KeyPair.CreateClientAssertion(SandboxSeed.DashboardClientId, Host.BaseUrl, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, mismatched.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }
}
