using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Scheduling;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>
/// The one path a saved change to a rotation takes, once it is committed: the scheduler (its trigger follows
/// <c>nextRotationAt</c> and auto-rotation, or goes with the rotation), the engine (a run waiting in its lead time
/// reconsiders) and the live UI. Called by <see cref="Data.RotationChangeInterceptor"/>; no use case calls these itself.
/// </summary>
public sealed partial class RotationChangeDispatcher(
    RotationScheduler scheduler,
    RotationEngine engine,
    IRotationRunNotifier notifier,
    TimeProvider timeProvider,
    ILogger<RotationChangeDispatcher> logger)
{
    public async Task DispatchAsync(IReadOnlyList<(Guid RotationId, RotationChangeKind Kind)> changes)
    {
        foreach (var (rotationId, kind) in changes)
        {
            // The change is committed: a follow-up that fails is logged, and must not turn the saved change into an error.
            try
            {
                if (kind == RotationChangeKind.Deleted)
                {
                    await scheduler.UnscheduleAsync(rotationId, CancellationToken.None);
                }
                else
                {
                    await scheduler.RescheduleAsync(rotationId, CancellationToken.None);
                    engine.ReconsiderWaitingRun(rotationId);
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogFollowUpFailed(logger, exception, rotationId, kind);
            }

            notifier.Publish(new RotationChangedEvent(rotationId, kind, timeProvider.GetUtcNow()));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rotation {RotationId} was saved ({Kind}) but its schedule could not be updated; the next start rebuilds it")]
    private static partial void LogFollowUpFailed(ILogger logger, Exception exception, Guid rotationId, RotationChangeKind kind);
}
