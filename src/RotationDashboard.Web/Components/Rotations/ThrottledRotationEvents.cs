using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Web.Components.Rotations;

/// <summary>
/// Listens to the in-process <see cref="IRotationRunNotifier"/> for a component: events that pass the filter schedule
/// one refresh at most <c>delay</c> later, so a burst (a run's six steps, or many rotations at once) costs one
/// re-query, and a steady stream still refreshes every <c>delay</c>. The callback runs on a timer thread: components
/// marshal it with <c>InvokeAsync</c>. Dispose to unsubscribe (the page's Dispose).
/// </summary>
public sealed partial class ThrottledRotationEvents : IDisposable
{
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;
    private readonly Func<RotationEvent, bool> _filter;
    private readonly Func<IReadOnlyList<RotationEvent>, Task> _refresh;
    private readonly TimeSpan _delay;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private List<RotationEvent> _pending = [];
    private bool _scheduled;
    private bool _disposed;

    public ThrottledRotationEvents(
        IRotationRunNotifier notifier,
        TimeProvider timeProvider,
        TimeSpan delay,
        Func<RotationEvent, bool> filter,
        Func<IReadOnlyList<RotationEvent>, Task> refresh,
        ILogger logger)
    {
        _logger = logger;
        _filter = filter;
        _refresh = refresh;
        _delay = delay;
        _timer = timeProvider.CreateTimer(_ => _ = FireAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _subscription = notifier.Subscribe(OnEvent);
    }

    private void OnEvent(RotationEvent rotationEvent)
    {
        if (!_filter(rotationEvent)) return;
        lock (_gate)
        {
            if (_disposed) return;
            _pending.Add(rotationEvent);
            if (_scheduled) return;
            _scheduled = true;
            _timer.Change(_delay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task FireAsync()
    {
        List<RotationEvent> events;
        lock (_gate)
        {
            if (_disposed) return;
            events = _pending;
            _pending = [];
            _scheduled = false;
        }

        try
        {
            await _refresh(events);
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away between the event and the refresh.
        }
        catch (Exception exception)
        {
            LogRefreshFailed(_logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing a page after rotation events failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _subscription.Dispose();
        _timer.Dispose();
    }
}
