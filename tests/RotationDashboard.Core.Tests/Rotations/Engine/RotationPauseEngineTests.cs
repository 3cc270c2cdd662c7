using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;

namespace RotationDashboard.Core.Tests.Rotations.Engine;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationPauseEngineTests
{
    [Fact]
    public async Task The_run_that_reaches_the_limit_pauses_the_rotation_and_the_system_audits_it_once()
    {
        await using var f = new EngineFixture(RotationStrategy.SinglePhase, o => o.PauseAfterConsecutiveFailures = 2);
        await f.RunAsync(RunTrigger.Create);
        f.Authority.VerifyOverride = _ => new CredentialCheck(CredentialCheckOutcome.Rejected, "401 access_denied");

        Assert.Equal(RunStatus.RolledBack, (await f.RunAsync()).Status);
        Assert.False(f.Rotation.IsPaused);
        Assert.DoesNotContain(f.Store.Audit, a => a.Action == AuditActions.RotationPaused);

        var second = await f.RunAsync();

        Assert.Equal(RunStatus.RolledBack, second.Status);
        Assert.True(f.Rotation.IsPaused);
        Assert.False(f.Rotation.IsAutoRotationEnabled);
        Assert.Null(f.Rotation.NextRotationAt);
        Assert.Equal(2, f.Rotation.ConsecutiveFailures);
        var audit = Assert.Single(f.Store.Audit, a => a.Action == AuditActions.RotationPaused);
        Assert.Equal(Actor.System.ToString(), audit.ActorLabel);
        Assert.Contains("2 failed runs", audit.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Authority.Secret!, audit.Details, StringComparison.Ordinal);

        // A failing run while paused is counted but audits no second pause.
        await f.RunAsync();
        Assert.Single(f.Store.Audit, a => a.Action == AuditActions.RotationPaused);

        f.Authority.VerifyOverride = null;
        Assert.Equal(RunStatus.Succeeded, (await f.RunAsync()).Status);
        Assert.False(f.Rotation.IsPaused);
        Assert.True(f.Rotation.IsAutoRotationEnabled);
        Assert.Equal(0, f.Rotation.ConsecutiveFailures);
    }
}
