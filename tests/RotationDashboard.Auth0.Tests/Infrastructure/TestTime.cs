using System.Collections.Concurrent;
using System.Diagnostics;

namespace RotationDashboard.Auth0.Tests.Infrastructure;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time, timers included, and records every timer's
/// requested due time. The code under test sees consistent time (a 1 s Retry-After really elapses as 1 s of its
/// clock) while the test takes a fraction of it.
/// </summary>
public sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startUtc = DateTimeOffset.UtcNow;

    public ConcurrentQueue<TimeSpan> RequestedTimers { get; } = new();

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() =>
        _startTimestamp + (long)((Stopwatch.GetTimestamp() - _startTimestamp) * factor);

    public override DateTimeOffset GetUtcNow() => _startUtc + Stopwatch.GetElapsedTime(_startTimestamp) * factor;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        RequestedTimers.Enqueue(dueTime);
        return new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);
    }

    private TimeSpan Scale(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : value / factor;

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
