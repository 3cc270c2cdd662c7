using RotationDashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Web.Tests.Rotations;

/// <summary>The Auth0 side of the engine against the sandbox tenant: every operation can be repeated safely.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public class Auth0CredentialAuthorityTests
{
    [Fact]
    public async Task Operations_are_idempotent_and_follow_auth0s_credential_rules()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var authority = await host.Services.GetRequiredService<ICredentialAuthorityFactory>().CreateAsync(await host.SandboxConnectionAsync(), CancellationToken.None);
        var keys = host.Services.GetRequiredService<IKeyPairGenerator>().Generate(2048);
        const string app = SandboxSeed.LedgerSyncClientId;

        var ledger = await authority.GetApplicationAsync(app, includeCredentials: true, CancellationToken.None);
        Assert.Equal(ApplicationAuthMethod.PrivateKeyJwt, ledger.AuthMethod);
        Assert.Equal([SandboxSeed.LedgerSyncCredentialId], ledger.AttachedCredentialIds);
        Assert.Equal(RsaCredentialKeys.ComputeKeyId(keys.PrivateKeyPem), keys.KeyId);

        var added = await authority.AddPublicKeyCredentialAsync(app, new NewPublicKeyCredential(keys.PublicKeyPem, keys.KeyId, "test key"), CancellationToken.None);
        var again = await authority.AddPublicKeyCredentialAsync(app, new NewPublicKeyCredential(keys.PublicKeyPem, keys.KeyId, "test key"), CancellationToken.None);
        Assert.Equal(added.Id, again.Id);
        Assert.Equal(keys.KeyId, added.KeyId);

        await authority.AttachPublicKeyCredentialsAsync(app, [SandboxSeed.LedgerSyncCredentialId, added.Id], CancellationToken.None);
        await authority.AttachPublicKeyCredentialsAsync(app, [SandboxSeed.LedgerSyncCredentialId, added.Id], CancellationToken.None);
        Assert.Equal(CredentialCheckOutcome.Accepted, (await authority.VerifyPrivateKeyAsync(app, keys.PrivateKeyPem, keys.KeyId, CancellationToken.None)).Outcome);

        var attached = await Assert.ThrowsAsync<CredentialAuthorityException>(() => authority.DeleteCredentialAsync(app, added.Id, CancellationToken.None));
        Assert.Equal(400, attached.StatusCode);
        Assert.False(attached.IsTransient);

        await authority.AttachPublicKeyCredentialsAsync(app, [SandboxSeed.LedgerSyncCredentialId], CancellationToken.None);
        Assert.Equal(CredentialCheckOutcome.Rejected, (await authority.VerifyPrivateKeyAsync(app, keys.PrivateKeyPem, keys.KeyId, CancellationToken.None)).Outcome);
        Assert.True(await authority.DeleteCredentialAsync(app, added.Id, CancellationToken.None));
        Assert.False(await authority.DeleteCredentialAsync(app, added.Id, CancellationToken.None));

        const string secretApp = SandboxSeed.ReportingJobClientId;
        var reporting = await authority.GetApplicationAsync(secretApp, includeCredentials: false, CancellationToken.None);
        Assert.Equal(ApplicationAuthMethod.ClientSecretBasic, reporting.AuthMethod);
        var secret = ClientSecretGenerator.Generate();
        await authority.SetClientSecretAsync(secretApp, secret, CancellationToken.None);
        await authority.SetClientSecretAsync(secretApp, secret, CancellationToken.None);
        Assert.Equal(secret, host.Sandbox.GetClientSecret(secretApp));
        Assert.Equal(CredentialCheckOutcome.Accepted, (await authority.VerifyClientSecretAsync(secretApp, secret, ClientSecretMethod.ClientSecretBasic, CancellationToken.None)).Outcome);
        Assert.Equal(CredentialCheckOutcome.Rejected, (await authority.VerifyClientSecretAsync(secretApp, secret + "x", ClientSecretMethod.ClientSecretBasic, CancellationToken.None)).Outcome);

        await authority.RevokeClientSecretAsync(secretApp, CancellationToken.None);
        Assert.NotEqual(secret, host.Sandbox.GetClientSecret(secretApp));

        var missing = await Assert.ThrowsAsync<CredentialAuthorityException>(() => authority.GetApplicationAsync("no-such-app", false, CancellationToken.None));
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public async Task Generated_client_secrets_are_accepted_by_auth0s_custom_secret_rule_and_a_short_one_is_refused()
    {
        await using var data = await EngineTestData.CreateAsync();
        await using var host = await EngineTestHost.StartAsync(data);
        var authority = await host.Services.GetRequiredService<ICredentialAuthorityFactory>().CreateAsync(await host.SandboxConnectionAsync(), CancellationToken.None);
        const string app = SandboxSeed.ReportingJobClientId;

        foreach (var length in new[] { ClientSecretGenerator.MinLength, ClientSecretGenerator.DefaultLength, ClientSecretGenerator.MaxLength })
        {
            for (var i = 0; i < 20; i++)
            {
                var secret = ClientSecretGenerator.Generate(length);
                await authority.SetClientSecretAsync(app, secret, CancellationToken.None);
                Assert.Equal(secret, host.Sandbox.GetClientSecret(app));
            }
        }

        var refused = await Assert.ThrowsAsync<CredentialAuthorityException>(() => authority.SetClientSecretAsync(app, "x1y2z", CancellationToken.None));
        Assert.Equal(400, refused.StatusCode);
        Assert.False(refused.IsTransient);
        var answer = Assert.IsType<Auth0ApiException>(refused.InnerException);
        Assert.Equal("invalid_body", answer.ErrorCode);
        Assert.Contains("String is too short (5 chars), minimum 48", answer.ApiMessage, StringComparison.Ordinal);
    }
}
