using System.Collections.Immutable;
using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>
/// In-process <see cref="IRotationRunNotifier"/>: a copy-on-write list of handlers, so subscribing and unsubscribing
/// never block publishing and a handler may unsubscribe itself while being called.
/// </summary>
public sealed partial class RotationRunNotifier(ILogger<RotationRunNotifier> logger) : IRotationRunNotifier
{
    private ImmutableArray<Action<RotationEvent>> _handlers = [];

    public int SubscriberCount => _handlers.Length;

    public IDisposable Subscribe(Action<RotationEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _handlers, handlers => handlers.Add(handler));
        return new Subscription(this, handler);
    }

    public void Publish(RotationEvent rotationEvent)
    {
        ArgumentNullException.ThrowIfNull(rotationEvent);
        foreach (var handler in _handlers)
        {
            try
            {
                handler(rotationEvent);
            }
            catch (Exception exception)
            {
                LogHandlerFailed(logger, exception, rotationEvent.GetType().Name);
            }
        }
    }

    private void Unsubscribe(Action<RotationEvent> handler) =>
        ImmutableInterlocked.Update(ref _handlers, handlers => handlers.Remove(handler));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A rotation event handler failed on {EventType}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string eventType);

    private sealed class Subscription(RotationRunNotifier owner, Action<RotationEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
