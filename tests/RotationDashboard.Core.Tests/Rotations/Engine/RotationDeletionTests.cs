using Microsoft.Extensions.Logging.Abstractions;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;

namespace RotationDashboard.Core.Tests.Rotations.Engine;

/// <summary><see cref="RotationEngine.DeleteAsync"/>: under the lease, credentials revoked first, nothing removed when that fails.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationDeletionTests
{
    private static RotationEngine EngineWithRevocation(EngineFixture f) => new(
        f.Store, f.Runner, f.Notifier, f.FollowUps, Microsoft.Extensions.Options.Options.Create(f.Options), f.Time, NullLogger<RotationEngine>.Instance,
        new CredentialRevocation(f.Authority, f.Protector, f.Store, NullLogger<CredentialRevocation>.Instance));

    [Fact]
    public async Task Revoking_a_client_secret_replaces_it_with_one_nobody_knows_before_the_records_go_and_frees_the_lease()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        var issued = f.Authority.Secret;
        await using var engine = EngineWithRevocation(f);
        var removed = new List<string>();

        var deletion = await engine.DeleteAsync(f.Rotation.Id, revokeCredentials: true, (note, _) =>
        {
            Assert.Contains("revoke", f.Authority.Calls); // Auth0 first, then the records
            removed.Add(note);
            return Task.CompletedTask;
        });

        Assert.Equal(RotationDeletionStatus.Deleted, deletion.Status);
        Assert.NotEqual(issued, f.Authority.Secret);
        Assert.Equal([" (Auth0 generated a new client secret nobody knows)"], removed);
        Assert.Null((await f.Store.GetLeaseAsync(f.Rotation.Id, CancellationToken.None))?.Holder);
    }

    [Fact]
    public async Task Revoking_private_key_jwt_detaches_and_deletes_the_rotations_keys_and_leaves_a_secret_nobody_knows()
    {
        await using var f = new EngineFixture(RotationStrategy.PrivateKeyJwt);
        f.Authority.AuthMethod = ApplicationAuthMethod.PrivateKeyJwt;
        await f.RunAsync(RunTrigger.Create);
        Assert.NotEmpty(f.Authority.Keys);
        await using var engine = EngineWithRevocation(f);

        var deletion = await engine.DeleteAsync(f.Rotation.Id, revokeCredentials: true, (_, _) => Task.CompletedTask);

        Assert.Equal(RotationDeletionStatus.Deleted, deletion.Status);
        Assert.Empty(f.Authority.Keys);
        Assert.Contains("key credential(s) detached and deleted; the application now has a client secret nobody knows", deletion.Detail, StringComparison.Ordinal);
        Assert.Contains("use-secret", f.Authority.Calls);
    }

    [Fact]
    public async Task A_run_holding_the_lease_keeps_the_rotation_and_auth0_untouched()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        Assert.True(await f.Store.TryAcquireLeaseAsync(f.Rotation.Id, "another-run", TimeSpan.FromMinutes(1), CancellationToken.None));
        var calls = f.Authority.Calls.Count;
        await using var engine = EngineWithRevocation(f);
        var removed = false;

        var deletion = await engine.DeleteAsync(f.Rotation.Id, revokeCredentials: true, (_, _) =>
        {
            removed = true;
            return Task.CompletedTask;
        });

        Assert.Equal(RotationDeletionStatus.Busy, deletion.Status);
        Assert.False(removed);
        Assert.Equal(calls, f.Authority.Calls.Count);
        Assert.Equal("another-run", (await f.Store.GetLeaseAsync(f.Rotation.Id, CancellationToken.None))!.Holder);
    }

    [Fact]
    public async Task When_auth0_refuses_the_revocation_nothing_is_removed_and_the_reason_is_scrubbed()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        var secret = f.Authority.Secret!;
        f.Authority.Fault = operation => operation == "revoke"
            ? new CredentialAuthorityException($"Auth0 said no (client_secret={secret})", statusCode: 403)
            : null;
        await using var engine = EngineWithRevocation(f);
        var removed = false;

        var deletion = await engine.DeleteAsync(f.Rotation.Id, revokeCredentials: true, (_, _) =>
        {
            removed = true;
            return Task.CompletedTask;
        });

        Assert.Equal(RotationDeletionStatus.RevocationFailed, deletion.Status);
        Assert.False(removed);
        Assert.DoesNotContain(secret, deletion.Detail, StringComparison.Ordinal);
        Assert.Null((await f.Store.GetLeaseAsync(f.Rotation.Id, CancellationToken.None))?.Holder);
    }

    [Fact]
    public async Task Without_revocation_only_the_records_go()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase);
        await f.RunAsync(RunTrigger.Create);
        var calls = f.Authority.Calls.Count;
        await using var engine = EngineWithRevocation(f);

        var deletion = await engine.DeleteAsync(f.Rotation.Id, revokeCredentials: false, (_, _) => Task.CompletedTask);

        Assert.Equal(RotationDeletionStatus.Deleted, deletion.Status);
        Assert.Equal("", deletion.Detail);
        Assert.Equal(calls, f.Authority.Calls.Count);
    }
}
