using RotationDashboard.Core.Audit;

namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// One persisted step of a run. Steps are stateless: everything a run knows lives in its <see cref="RunContext"/>,
/// so one instance serves every run. <see cref="ExecuteAsync"/> is idempotent (a resumed run repeats it);
/// <see cref="UndoAsync"/> is called during a rollback for a step that started, latest step first.
/// </summary>
internal interface IRunStep
{
    RunStepName Name { get; }

    /// <summary>
    /// The step changes the identity provider: when its undo fails, Auth0 may hold the old credential, the new one or
    /// both, so the runner asks Auth0 which one works instead of carrying on with the rollback.
    /// </summary>
    bool ChangesAuthority => false;

    /// <exception cref="StepFailedException">The step gave up; the message is the (unscrubbed) reason.</exception>
    Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken);

    /// <summary>Reverts what the step did, adding what it did to <paramref name="actions"/> (for the run's message).</summary>
    Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken);
}

/// <summary>
/// A planned wait before a step (a staged run's lead time, a Private Key JWT run's grace period). It is not Auth0
/// work: it holds no concurrency slot and does not count toward the run's time limit.
/// </summary>
internal interface IRunWait
{
    /// <summary>The run's time limit starts again after the wait.</summary>
    bool RestartsTimeLimit { get; }

    /// <summary>Waits in-process, or answers a pause: the run stops here and resumes at <see cref="RunPause.Until"/>.</summary>
    /// <exception cref="RunWithdrawnException">The run is no longer wanted (nothing in Auth0 changed yet).</exception>
    Task<RunPause?> WaitAsync(RunContext context, bool forceRetire, CancellationToken stopping);
}

/// <summary>A step of a strategy's plan, with the wait that comes before it.</summary>
internal sealed record PlannedStep(IRunStep Step, IRunWait? WaitBefore = null)
{
    public RunStepName Name => Step.Name;
}

/// <summary>What a finished step records: its message, and a change to the rotation and an audit event saved with it.</summary>
internal sealed record StepOutcome(string Message, Action<Rotation>? RotationChange = null, AuditEvent? Audit = null);

/// <summary>The run stops until <see cref="Until"/>; <see cref="Note"/> says why.</summary>
internal sealed record RunPause(string Note, DateTimeOffset Until);

/// <summary>A step gave up; <see cref="Exception.Message"/> is the (unscrubbed) reason.</summary>
internal sealed class StepFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A scheduled run is no longer wanted before Auth0 was touched (auto-rotation turned off in its lead time).</summary>
internal sealed class RunWithdrawnException(string reason) : Exception(reason);
