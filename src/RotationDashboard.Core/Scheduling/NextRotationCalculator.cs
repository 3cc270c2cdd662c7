using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Core.Scheduling;

/// <summary>When a failed rotation is tried again (after its in-run retries are spent).</summary>
public enum FailedRotationRetryPolicy
{
    /// <summary>The next <c>rotateAtUtc</c> time strictly after now: today if it is still ahead, else tomorrow.</summary>
    NextOccurrenceOfRotateAt,

    /// <summary>Infisical's rule: tomorrow (UTC) at <c>rotateAtUtc</c>, even when today's time is still ahead.</summary>
    NextUtcDay,
}

/// <summary>The schedule-relevant state of a rotation.</summary>
public sealed record ScheduleState(
    bool IsAutoRotationEnabled,
    RotationStatus? Status,
    DateTimeOffset? LastRotatedAt,
    int RotationIntervalDays,
    RotateAtUtc RotateAtUtc,
    bool IsLastRotationManual);

/// <summary>
/// Infisical's <c>calculateNextRotationAt</c> (hanzo-infisical-rotation.md §3), pure:
/// <list type="bullet">
/// <item>auto-rotation off → null;</item>
/// <item>failed → the retry time given by <see cref="FailedRotationRetryPolicy"/>;</item>
/// <item>otherwise the calendar date (UTC) of the last rotation at <c>rotateAtUtc</c>, plus the interval in
/// days, plus one more day when the last rotation was manual and happened at or after <c>rotateAtUtc</c> that
/// day (so a full interval passes).</item>
/// </list>
/// </summary>
public sealed class NextRotationCalculator
{
    public NextRotationCalculator(FailedRotationRetryPolicy failedRetryPolicy = FailedRotationRetryPolicy.NextOccurrenceOfRotateAt)
    {
        FailedRetryPolicy = failedRetryPolicy;
    }

    public static NextRotationCalculator Default { get; } = new();

    public FailedRotationRetryPolicy FailedRetryPolicy { get; }

    public DateTimeOffset? Calculate(ScheduleState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsAutoRotationEnabled)
        {
            return null;
        }

        if (state.Status == RotationStatus.Failed)
        {
            return NextRetryAt(state.RotateAtUtc, now);
        }

        if (state.LastRotatedAt is not { } lastRotatedAt)
        {
            // Never rotated yet: the creation run schedules it when it finishes.
            return null;
        }

        if (state.RotationIntervalDays < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state.RotationIntervalDays, "The rotation interval must be at least one day.");
        }

        var last = lastRotatedAt.ToUniversalTime();
        var next = AtTimeOfDay(last, state.RotateAtUtc).AddDays(state.RotationIntervalDays);
        if (state.IsLastRotationManual && last.TimeOfDay >= state.RotateAtUtc.TimeOfDay)
        {
            next = next.AddDays(1);
        }

        return next;
    }

    /// <summary>When a failed rotation runs again, under this calculator's policy.</summary>
    public DateTimeOffset NextRetryAt(RotateAtUtc rotateAtUtc, DateTimeOffset now)
    {
        var utcNow = now.ToUniversalTime();
        var today = AtTimeOfDay(utcNow, rotateAtUtc);
        return FailedRetryPolicy switch
        {
            FailedRotationRetryPolicy.NextUtcDay => today.AddDays(1),
            _ => today > utcNow ? today : today.AddDays(1),
        };
    }

    private static DateTimeOffset AtTimeOfDay(DateTimeOffset utc, RotateAtUtc rotateAtUtc) =>
        new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero).Add(rotateAtUtc.TimeOfDay);
}
