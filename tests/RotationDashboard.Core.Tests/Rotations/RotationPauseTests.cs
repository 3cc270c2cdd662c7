using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Testing;

namespace RotationDashboard.Core.Tests.Rotations;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RotationPauseTests
{
    private const int Limit = 3;
    private static readonly DateTimeOffset Created = new(2025, 1, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly NextRotationCalculator _calculator = NextRotationCalculator.Default;
    private readonly ISecretProtector _protector = TestProtector.Create();

    [Fact]
    public void Failed_runs_are_counted_manual_ones_included_and_a_success_resets_the_count()
    {
        var rotation = AutoRotated();

        Assert.False(Fail(rotation, 1, isManual: false));
        Assert.False(Fail(rotation, 2, isManual: true));
        Assert.Equal(2, rotation.ConsecutiveFailures);
        Assert.False(rotation.IsPaused);
        Assert.NotNull(rotation.NextRotationAt);

        rotation.RecordSuccess(Guid.NewGuid(), isManual: true, _calculator, Created.AddDays(3));

        Assert.Equal(0, rotation.ConsecutiveFailures);
        Assert.False(Fail(rotation, 4));
        Assert.Equal(1, rotation.ConsecutiveFailures);
    }

    [Fact]
    public void The_failure_that_reaches_the_limit_pauses_auto_rotation_once_and_says_so()
    {
        var rotation = AutoRotated();
        Fail(rotation, 1);
        Fail(rotation, 2);
        var pausedAt = Created.AddDays(3);

        var paused = rotation.RecordFailure(Guid.NewGuid(), "Apply failed: 503", false, _protector, _calculator, pausedAt, pauseAfterConsecutiveFailures: Limit);

        Assert.True(paused);
        Assert.True(rotation.IsPaused);
        Assert.Equal(pausedAt, rotation.PausedAt);
        Assert.False(rotation.IsAutoRotationEnabled);
        Assert.Null(rotation.NextRotationAt);
        Assert.Equal(RotationStatus.Failed, rotation.RotationStatus);
        var message = rotation.ReadLastRotationMessage(_protector)!;
        Assert.StartsWith(Rotation.PausedMessage(Limit), message, StringComparison.Ordinal);
        Assert.EndsWith("Apply failed: 503", message, StringComparison.Ordinal);

        // A manual run that fails while paused counts, but neither re-pauses nor schedules anything.
        Assert.False(Fail(rotation, 4, isManual: true));
        Assert.Equal(pausedAt, rotation.PausedAt);
        Assert.Equal(Limit + 1, rotation.ConsecutiveFailures);
        Assert.Null(rotation.NextRotationAt);
    }

    [Fact]
    public void Turning_auto_rotation_on_again_resumes_and_resets_the_count()
    {
        var rotation = PausedRotation();
        var resumedAt = Created.AddDays(5);

        rotation.SetAutoRotation(true, _calculator, resumedAt);

        Assert.False(rotation.IsPaused);
        Assert.Equal(0, rotation.ConsecutiveFailures);
        Assert.True(rotation.IsAutoRotationEnabled);
        Assert.Equal(_calculator.NextRetryAt(rotation.RotateAtUtc, resumedAt), rotation.NextRotationAt);
    }

    [Fact]
    public void Updating_with_auto_rotation_on_resumes_but_an_unrelated_update_keeps_the_pause()
    {
        var rotation = PausedRotation();

        rotation.Update(new RotationChanges { Description = "still broken" }, _calculator, Created.AddDays(5));
        Assert.True(rotation.IsPaused);
        Assert.Null(rotation.NextRotationAt);

        rotation.Update(new RotationChanges { IsAutoRotationEnabled = true }, _calculator, Created.AddDays(6));
        Assert.False(rotation.IsPaused);
        Assert.Equal(0, rotation.ConsecutiveFailures);
        Assert.NotNull(rotation.NextRotationAt);
    }

    [Fact]
    public void A_successful_manual_run_resumes_the_schedule()
    {
        var rotation = PausedRotation();
        var rotatedAt = Created.AddDays(5);

        rotation.RecordSuccess(Guid.NewGuid(), isManual: true, _calculator, rotatedAt);

        Assert.False(rotation.IsPaused);
        Assert.True(rotation.IsAutoRotationEnabled);
        Assert.Equal(0, rotation.ConsecutiveFailures);
        Assert.Equal(_calculator.Calculate(rotation.ScheduleState, rotatedAt), rotation.NextRotationAt);
        Assert.NotNull(rotation.NextRotationAt);
    }

    [Fact]
    public void Zero_never_pauses_and_a_rotation_without_auto_rotation_is_not_paused()
    {
        var never = AutoRotated();
        for (var i = 1; i <= 20; i++)
        {
            Assert.False(never.RecordFailure(Guid.NewGuid(), "failed", false, _protector, _calculator, Created.AddDays(i), pauseAfterConsecutiveFailures: 0));
        }

        Assert.Equal(20, never.ConsecutiveFailures);
        Assert.False(never.IsPaused);
        Assert.NotNull(never.NextRotationAt);

        var manualOnly = Rotation.Create(RotationRulesTests.ValidSettings() with { IsAutoRotationEnabled = false }, Created);
        for (var i = 1; i <= Limit; i++)
        {
            Assert.False(Fail(manualOnly, i, isManual: true));
        }

        Assert.False(manualOnly.IsPaused);
        Assert.Equal(Limit, manualOnly.ConsecutiveFailures);
    }

    [Fact]
    public void The_engine_option_defaults_to_five_and_is_validated()
    {
        var validator = new RotationEngineOptionsValidator();
        Assert.Equal(5, new RotationEngineOptions().PauseAfterConsecutiveFailures);
        Assert.True(validator.Validate(null, new RotationEngineOptions { PauseAfterConsecutiveFailures = 0 }).Succeeded);

        var bad = validator.Validate(null, new RotationEngineOptions { PauseAfterConsecutiveFailures = -1 });

        Assert.True(bad.Failed);
        Assert.Contains("RotationEngine:PauseAfterConsecutiveFailures", bad.FailureMessage, StringComparison.Ordinal);
    }

    private Rotation AutoRotated()
    {
        var rotation = Rotation.Create(RotationRulesTests.ValidSettings() with { IsAutoRotationEnabled = true }, Created);
        rotation.RecordSuccess(Guid.NewGuid(), isManual: true, _calculator, Created);
        return rotation;
    }

    private Rotation PausedRotation()
    {
        var rotation = AutoRotated();
        for (var i = 1; i <= Limit; i++)
        {
            Fail(rotation, i);
        }

        Assert.True(rotation.IsPaused);
        return rotation;
    }

    private bool Fail(Rotation rotation, int day, bool isManual = false) =>
        rotation.RecordFailure(Guid.NewGuid(), $"Verify failed on day {day}", isManual, _protector, _calculator, Created.AddDays(day),
            pauseAfterConsecutiveFailures: Limit);
}
