namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// Live updates about rotations and their runs, for UI circuits and other in-process listeners. Events carry ids,
/// statuses and scrubbed messages, never a secret. Listeners re-read whatever they show.
/// </summary>
public abstract record RotationEvent(Guid RotationId, DateTimeOffset OccurredAt);

public sealed record RunStartedEvent(Guid RotationId, Guid RunId, RunTrigger Trigger, bool Resumed, DateTimeOffset OccurredAt)
    : RotationEvent(RotationId, OccurredAt);

/// <summary>A step started, finished, or noted what it waits for.</summary>
public sealed record RunStepChangedEvent(
    Guid RotationId,
    Guid RunId,
    RunStepName Step,
    RunStepStatus Status,
    string? Message,
    DateTimeOffset OccurredAt) : RotationEvent(RotationId, OccurredAt);

/// <summary>The run paused until <see cref="Until"/> (staged lead time, Private Key JWT grace period).</summary>
public sealed record RunWaitingEvent(Guid RotationId, Guid RunId, RunStepName Step, DateTimeOffset Until, DateTimeOffset OccurredAt)
    : RotationEvent(RotationId, OccurredAt);

/// <summary>
/// The run ended (<see cref="Status"/> Succeeded, Failed or RolledBack), or stopped for now (Running) because the
/// engine shut down or it waits in Retire.
/// </summary>
public sealed record RunFinishedEvent(Guid RotationId, Guid RunId, RunStatus Status, string? Message, DateTimeOffset OccurredAt)
    : RotationEvent(RotationId, OccurredAt);

public enum RotationChangeKind
{
    Created,
    Updated,
    Deleted,

    /// <summary>Status, slots or schedule changed by a run.</summary>
    StateChanged,
}

public sealed record RotationChangedEvent(Guid RotationId, RotationChangeKind Kind, DateTimeOffset OccurredAt)
    : RotationEvent(RotationId, OccurredAt);

/// <summary>
/// In-process publish/subscribe of <see cref="RotationEvent"/>s. Thread-safe; handlers run synchronously on the
/// publisher's thread and must return quickly (a Blazor component calls <c>InvokeAsync(StateHasChanged)</c>).
/// A handler that throws is logged and does not affect the others or the publisher.
/// </summary>
public interface IRotationRunNotifier
{
    /// <summary>Subscribes to every event; dispose the result to unsubscribe.</summary>
    IDisposable Subscribe(Action<RotationEvent> handler);

    void Publish(RotationEvent rotationEvent);
}
