namespace RotationDashboard.Core.Notifications;

/// <summary>
/// When a failed delivery is tried again: base × 2^(attempt-1), capped. Persisted with the delivery (not an in-memory
/// retry loop), so the schedule survives restarts; that is why the HTTP resilience library's retry is not used here.
/// </summary>
public static class NotificationBackoff
{
    public static TimeSpan After(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(baseDelay.Ticks * factor, maxDelay.Ticks));
        return delay < baseDelay ? baseDelay : delay;
    }
}
