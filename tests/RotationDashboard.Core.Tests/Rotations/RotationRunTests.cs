using RotationDashboard.Testing;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationRunTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private readonly ISecretProtector _protector = TestProtector.Create();

    private static RotationRun StartRun(RunTrigger trigger = RunTrigger.Schedule) =>
        RotationRun.Start(Rotation.Create(RotationRulesTests.ValidSettings(), Now), trigger, Actor.Scheduler, Now);

    [Fact]
    public void Start_creates_the_six_steps_in_order()
    {
        var run = StartRun();

        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(
            [RunStepName.Generate, RunStepName.Publish, RunStepName.Apply, RunStepName.Verify, RunStepName.Promote, RunStepName.Retire],
            run.Steps.Select(s => s.Name));
        Assert.Equal([1, 2, 3, 4, 5, 6], run.Steps.Select(s => s.Order));
        Assert.All(run.Steps, s => Assert.Equal(RunStepStatus.Pending, s.Status));
        Assert.Equal(RunStepName.Generate, run.NextStep!.Name);
        Assert.Equal(ActorType.Scheduler, run.ActorType);
        Assert.False(run.IsManual);
        Assert.True(StartRun(RunTrigger.Api).IsManual);
    }

    [Fact]
    public void A_resume_counts_one_more_attempt_and_keeps_the_trigger_but_a_finished_run_does_not_resume()
    {
        var run = StartRun(RunTrigger.Manual);

        run.RecordResume();
        run.RecordResume();

        Assert.Equal((3, RunTrigger.Manual), (run.Attempt, run.Trigger));
        run.Succeed("Rotated.", SecretScrubber.Patterns, Now);
        Assert.Throws<InvalidOperationException>(run.RecordResume);
    }

    [Fact]
    public void Step_messages_are_scrubbed_of_secrets()
    {
        var run = StartRun();
        var scrubber = new SecretScrubber(["n3w-s3cret-value"]);

        run.StartStep(RunStepName.Apply, Now);
        run.FailStep(RunStepName.Apply, "Auth0 rejected client_secret n3w-s3cret-value with 400", scrubber, Now);

        Assert.Equal("Auth0 rejected client_secret [redacted] with 400", run.Step(RunStepName.Apply).Message);
        Assert.Equal(RunStepStatus.Failed, run.Step(RunStepName.Apply).Status);
    }

    [Fact]
    public void Pending_credential_is_written_ahead_and_cleared_on_success()
    {
        var run = StartRun();
        var credential = new GeneratedCredential("client", "pending-secret");

        run.StorePendingCredential(credential, _protector);
        Assert.Equal(credential, run.ReadPendingCredential(_protector));

        run.Succeed("Rotated.", SecretScrubber.Patterns, Now.AddSeconds(3));
        Assert.Null(run.EncryptedPendingCredential);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.All(run.Steps, s => Assert.Equal(RunStepStatus.Skipped, s.Status));
    }

    [Fact]
    public void Failed_run_keeps_the_pending_credential_for_recovery_and_rollback_discards_it()
    {
        var failed = StartRun();
        failed.StorePendingCredential(new GeneratedCredential("client", "pending"), _protector);
        failed.Fail("gave up", SecretScrubber.Patterns, Now);
        Assert.NotNull(failed.ReadPendingCredential(_protector));

        var rolledBack = StartRun();
        rolledBack.StorePendingCredential(new GeneratedCredential("client", "pending"), _protector);
        rolledBack.RollBack("undone", SecretScrubber.Patterns, Now);
        Assert.Null(rolledBack.EncryptedPendingCredential);
        Assert.Equal(RunStatus.RolledBack, rolledBack.Status);
    }

    [Fact]
    public void Finished_runs_and_steps_refuse_further_changes()
    {
        var run = StartRun();
        run.StartStep(RunStepName.Generate, Now);
        run.CompleteStep(RunStepName.Generate, null, SecretScrubber.Patterns, Now);

        Assert.Throws<InvalidOperationException>(() => run.StartStep(RunStepName.Generate, Now));
        run.Fail("x", SecretScrubber.Patterns, Now);
        Assert.Throws<InvalidOperationException>(() => run.StartStep(RunStepName.Publish, Now));
        Assert.Throws<InvalidOperationException>(() => run.Succeed(null, SecretScrubber.Patterns, Now));
    }

    [Fact]
    public void A_resumed_step_keeps_its_first_start_time()
    {
        var run = StartRun();
        run.StartStep(RunStepName.Generate, Now);
        run.StartStep(RunStepName.Generate, Now.AddMinutes(5));

        Assert.Equal(Now, run.Step(RunStepName.Generate).StartedAt);
        Assert.Equal(RunStepName.Generate, run.NextStep!.Name);
    }
}
