using RotationDashboard.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>private_key_jwt against the sandbox: the assertion Auth0 expects, and the CURRENT → NEXT key fallback.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class PrivateKeyJwtTests(SharedSandbox sandbox) : IClassFixture<SharedSandbox>
{
    private SandboxHost Host => sandbox.Host;

    [Fact]
    public async Task The_client_assertion_carries_what_Auth0_expects()
    {
        var (app, key) = await Host.CreateKeyAppAsync();
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Key(app.ClientId, key)),
            Host.Options(o => o.CacheTokens = false));

        await client.GetTokenAsync();
        await client.GetTokenAsync();

        Assert.All(recorder.Requests, r => Assert.Equal(200, r.Status));
        var assertions = recorder.Requests.Select(r => new JsonWebToken(r.Assertion)).ToList();
        var jwt = assertions[0];
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal(key.Kid, jwt.Kid);
        Assert.Equal(app.ClientId, jwt.Issuer);
        Assert.Equal(app.ClientId, jwt.Subject);
        Assert.Equal(Host.BaseUrl.AbsoluteUri, Assert.Single(jwt.Audiences));
        Assert.EndsWith("/", Assert.Single(jwt.Audiences));
        Assert.Equal(TimeSpan.FromMinutes(2), jwt.ValidTo - jwt.IssuedAt);
        Assert.Equal(jwt.IssuedAt, jwt.ValidFrom);
        Assert.NotEqual(assertions[0].Id, assertions[1].Id);
        var form = recorder.Requests.First().Form;
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
        Assert.Equal(app.ClientId, form["client_id"]);
        Assert.False(form.ContainsKey("client_secret"));
    }

    [Fact]
    public async Task A_detached_current_key_falls_back_to_the_next_key_which_is_promoted()
    {
        var (app, oldKey) = await Host.CreateKeyAppAsync(TestKeys.First);
        var newKey = await Host.RegisterKeyAsync(app.ClientId, TestKeys.Second);
        Host.Tenant.AttachCredentials(app.ClientId, oldKey.CredentialId, newKey.CredentialId);
        var logs = new CapturingLoggerProvider();
        var recorder = new RecordingHandler();
        var source = new StaticCredentialSource(TestSandbox.Key(app.ClientId, oldKey), TestSandbox.Key(app.ClientId, newKey));
        var client = new Auth0TokenClient(recorder.CreateClient(), source, Host.Options(o => o.CacheTokens = false), logger: logs.CreateLogger<Auth0TokenClient>());
        await client.GetTokenAsync();

        Host.Tenant.AttachCredentials(app.ClientId, newKey.CredentialId);
        await client.GetTokenAsync();
        await client.GetTokenAsync();

        Assert.Equal(
            new (string?, int)[] { (oldKey.Kid, 200), (oldKey.Kid, 401), (newKey.Kid, 200), (newKey.Kid, 200) },
            recorder.Requests.Select(r => (r.AssertionKid, r.Status)));
        Assert.Equal(newKey.Kid, source.Credentials.Current.KeyId);
        Assert.Null(source.Credentials.Next);
        Assert.True(logs.Contains($"private key {newKey.Kid} of {app.ClientId}"));
        logs.AssertNoneContain(oldKey.PrivateKeyPem, newKey.PrivateKeyPem);
        Assert.All(recorder.Requests, r => logs.AssertNoneContain(r.Assertion));
    }

    [Fact]
    public async Task Without_a_key_id_no_kid_header_is_sent_and_the_tenant_tries_its_attached_keys()
    {
        var (app, first) = await Host.CreateKeyAppAsync(TestKeys.First);
        var second = await Host.RegisterKeyAsync(app.ClientId, TestKeys.Second);
        Host.Tenant.AttachCredentials(app.ClientId, second.CredentialId, first.CredentialId);
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(), new StaticCredentialSource(TestSandbox.Key(app.ClientId, first, withKeyId: false)),
            Host.Options());

        await client.GetTokenAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(200, request.Status);
        Assert.False(new JsonWebToken(request.Assertion).TryGetHeaderValue<string>("kid", out _));
    }

    [Theory]
    [InlineData("PS256")]
    [InlineData("RS384")]
    public async Task Other_algorithms_and_PKCS1_keys_work(string alg)
    {
        var (app, key) = await Host.CreateKeyAppAsync(TestKeys.Third, alg);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", TestKeys.Third.Pkcs1PrivateKeyPem);
        var recorder = new RecordingHandler();
        var client = new Auth0TokenClient(recorder.CreateClient(),
            new StaticCredentialSource(Auth0Credential.FromPrivateKey(app.ClientId, TestKeys.Third.Pkcs1PrivateKeyPem, key.Kid)),
            Host.Options(o => o.SigningAlgorithm = alg));

        await client.GetTokenAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal(alg, new JsonWebToken(request.Assertion).Alg);
    }

    [Fact]
    public async Task A_key_signed_with_the_wrong_algorithm_is_rejected_as_a_credential_problem()
    {
        var (app, key) = await Host.CreateKeyAppAsync();
        var client = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Key(app.ClientId, key)),
            Host.Options(o => o.SigningAlgorithm = "RS384"));

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => client.GetTokenAsync());

        Assert.True(exception.IsCredentialRejected);
        Assertions.NoSecretIn(exception, key.PrivateKeyPem);
    }

    [Fact]
    public async Task A_key_generated_by_the_sandbox_works_for_the_seeded_ledger_sync_app()
    {
        var key = Host.Tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;
        var client = new Auth0TokenClient(new HttpClient(), new StaticCredentialSource(TestSandbox.Key(SandboxSeed.LedgerSyncClientId, key)),
            Host.Options(o => o.Audience = SandboxSeed.PaymentsApiIdentifier));

        var token = await client.GetTokenAsync();

        Assert.Equal("read:payments", token.Scope);
    }
}
