using RotationDashboard.Testing;
using System.Net;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Auth0.Tests.Contract;

/// <summary>
/// Credential verification (a token request per check) against the sandbox: every outcome the rotation engine
/// acts on, and the propagation window in which Auth0 still accepts a replaced secret. The tenant and the client
/// share a hand-moved clock, so stepping past the window takes no time.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class VerificationContractTests(ManualClockSandboxFixture sandbox) : IClassFixture<ManualClockSandboxFixture>
{
    private SandboxTenant Tenant => sandbox.Host.Tenant;

    [Fact]
    public async Task A_valid_secret_is_Valid_for_its_granted_audience()
    {
        await using var client = sandbox.CreateClient();

        var management = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        var payments = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.PaymentsWorkerClientId, SandboxSeed.PaymentsWorkerClientSecret, audience: SandboxSeed.PaymentsApiIdentifier);

        Assert.Equal(TokenCheckOutcome.Valid, management.Outcome);
        Assert.Equal(HttpStatusCode.OK, management.StatusCode);
        Assert.Equal(TokenCheckOutcome.Valid, payments.Outcome);
        Assert.True(payments.CredentialAccepted);
    }

    [Fact]
    public async Task A_wrong_secret_is_InvalidCredential()
    {
        await using var client = sandbox.CreateClient();

        var post = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.PaymentsWorkerClientId, "not-the-secret-" + Guid.NewGuid(), audience: SandboxSeed.PaymentsApiIdentifier);
        var basic = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.ReportingJobClientId, "not-the-secret-" + Guid.NewGuid(), ClientSecretAuthentication.ClientSecretBasic);
        var unknown = await client.Verifier.VerifyClientSecretAsync(sandbox.Tenant, "no-such-client", "whatever-secret-0000");

        foreach (var check in new[] { post, basic, unknown })
        {
            Assert.Equal(TokenCheckOutcome.InvalidCredential, check.Outcome);
            Assert.Equal(HttpStatusCode.Unauthorized, check.StatusCode);
            Assert.Equal("access_denied", check.Error);
            Assert.False(check.CredentialAccepted);
        }
    }

    [Fact]
    public async Task An_app_without_a_grant_for_the_audience_is_AuthenticatedNotAuthorized()
    {
        await using var client = sandbox.CreateClient();

        // Billing service has a grant for the Payments API only; Reporting job (client_secret_basic) has none.
        var billing = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.BillingServiceClientId, SandboxSeed.BillingServiceClientSecret);
        var reporting = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.ReportingJobClientId, SandboxSeed.ReportingJobClientSecret, ClientSecretAuthentication.ClientSecretBasic);

        foreach (var check in new[] { billing, reporting })
        {
            Assert.Equal(TokenCheckOutcome.AuthenticatedNotAuthorized, check.Outcome);
            Assert.Equal(HttpStatusCode.Forbidden, check.StatusCode);
            Assert.Equal("access_denied", check.Error);
            Assert.True(check.CredentialAccepted);
        }
    }

    [Fact]
    public async Task A_private_key_jwt_assertion_signed_with_the_attached_key_is_accepted()
    {
        var key = Tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;
        var other = RsaCredentialKeys.Generate();
        await using var client = sandbox.CreateClient();

        var payments = await client.Verifier.VerifyPrivateKeyAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, key.PrivateKeyPem, keyId: key.Kid, audience: SandboxSeed.PaymentsApiIdentifier);
        var management = await client.Verifier.VerifyPrivateKeyAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, key.PrivateKeyPem, keyId: key.Kid);
        var withoutKid = await client.Verifier.VerifyPrivateKeyAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, key.PrivateKeyPem, audience: SandboxSeed.PaymentsApiIdentifier);
        var unknownKey = await client.Verifier.VerifyPrivateKeyAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, other.PrivateKeyPem, keyId: other.KeyId, audience: SandboxSeed.PaymentsApiIdentifier);

        Assert.Equal(TokenCheckOutcome.Valid, payments.Outcome);
        Assert.Equal(TokenCheckOutcome.AuthenticatedNotAuthorized, management.Outcome);
        Assert.Equal(TokenCheckOutcome.Valid, withoutKid.Outcome);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, unknownKey.Outcome);
    }

    [Fact]
    public async Task A_client_assertion_cannot_be_used_twice()
    {
        var key = Tenant.GetKeyPair(SandboxSeed.LedgerSyncClientId, SandboxSeed.LedgerSyncCredentialId)!;
        await using var client = sandbox.CreateClient();
        using var signingKey = ClientAssertionKey.FromPem(key.PrivateKeyPem, key.Alg, key.Kid);
        var assertion = client.Assertions.CreateAssertion(sandbox.Tenant, SandboxSeed.LedgerSyncClientId, signingKey);

        var first = await client.TokenClient.RequestTokenWithAssertionAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, assertion, SandboxSeed.PaymentsApiIdentifier);
        var replay = await client.TokenClient.RequestTokenWithAssertionAsync(
            sandbox.Tenant, SandboxSeed.LedgerSyncClientId, assertion, SandboxSeed.PaymentsApiIdentifier);

        Assert.Equal(TokenCheckOutcome.Valid, first.Outcome);
        Assert.NotNull(first.AccessToken);
        Assert.Equal(TokenCheckOutcome.InvalidCredential, replay.Outcome);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Check.StatusCode);
        Assert.Null(replay.AccessToken);
        Assert.DoesNotContain(assertion, replay.ToString());
        Assert.Equal(2, client.Exchanges.Token.Count); // single attempts: the token client never replays an assertion
    }

    [Fact]
    public async Task After_a_PATCHed_secret_both_secrets_work_inside_the_propagation_window_and_only_the_new_one_after_it()
    {
        var app = Tenant.CreateClient("Propagation (PATCH)", managementScopes: [Auth0ManagementScopes.ReadClients]);
        var newSecret = "rotated-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await using var client = sandbox.CreateClient();

        await client.Dashboard().UpdateClientAsync(app.ClientId, ClientPatch.SetClientSecret(newSecret));

        await AssertOutcomes(client, app.ClientId, app.ClientSecret!, newSecret, TokenCheckOutcome.Valid);
        sandbox.ManualClock.Advance(ManualClockSandboxFixture.PropagationWindow - TimeSpan.FromSeconds(1));
        await AssertOutcomes(client, app.ClientId, app.ClientSecret!, newSecret, TokenCheckOutcome.Valid);
        sandbox.ManualClock.Advance(TimeSpan.FromSeconds(1));
        await AssertOutcomes(client, app.ClientId, app.ClientSecret!, newSecret, TokenCheckOutcome.InvalidCredential);
    }

    [Fact]
    public async Task After_rotate_secret_the_old_secret_works_until_the_propagation_window_ends()
    {
        var app = Tenant.CreateClient("Propagation (rotate-secret)", managementScopes: [Auth0ManagementScopes.ReadClients]);
        await using var client = sandbox.CreateClient();

        var newSecret = (await client.Dashboard().RotateClientSecretAsync(app.ClientId)).ClientSecret!;

        await AssertOutcomes(client, app.ClientId, app.ClientSecret!, newSecret, TokenCheckOutcome.Valid);
        sandbox.ManualClock.Advance(ManualClockSandboxFixture.PropagationWindow + TimeSpan.FromMilliseconds(1));
        await AssertOutcomes(client, app.ClientId, app.ClientSecret!, newSecret, TokenCheckOutcome.InvalidCredential);
    }

    private async Task AssertOutcomes(ContractClient client, string clientId, string oldSecret, string newSecret, TokenCheckOutcome oldSecretOutcome)
    {
        var old = await client.Verifier.VerifyClientSecretAsync(sandbox.Tenant, clientId, oldSecret);
        var current = await client.Verifier.VerifyClientSecretAsync(sandbox.Tenant, clientId, newSecret);
        Assert.Equal(oldSecretOutcome, old.Outcome);
        Assert.Equal(TokenCheckOutcome.Valid, current.Outcome);
    }
}
