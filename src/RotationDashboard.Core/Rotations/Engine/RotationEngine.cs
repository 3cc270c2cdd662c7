using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Core.Rotations.Engine;

public enum RunStartStatus
{
    /// <summary>A new run started.</summary>
    Started,

    /// <summary>An unfinished run (interrupted, or due in Retire) continues.</summary>
    Resumed,

    /// <summary>Another run holds the rotation's lease: "a rotation is already in progress".</summary>
    AlreadyRunning,

    NotFound,

    /// <summary>A scheduled trigger fired for a rotation that is not due (rotated meanwhile, auto-rotation off, edited).</summary>
    NotDue,

    /// <summary>Resume was asked for, but there is no unfinished run (or it waits and is not due yet).</summary>
    NothingToResume,
}

/// <summary>
/// The answer to a start or resume request. <see cref="Completion"/> ends when the run finishes, waits or is
/// interrupted; await it to wait for the outcome, or ignore it and follow the run through the notifier.
/// </summary>
public sealed record RunStartResult(RunStartStatus Status, Guid? RunId, Task<RunResult?> Completion, string? Message = null)
{
    /// <summary>A run executes (started or resumed); <see cref="Completion"/> yields its result.</summary>
    public bool IsRunning => Status is RunStartStatus.Started or RunStartStatus.Resumed;

    internal static RunStartResult Without(RunStartStatus status, string message) =>
        new(status, null, Task.FromResult<RunResult?>(null), message);
}

// Over 400 lines: start, resume and delete share one lease protocol (acquire, renew, release) that belongs in one place.
/// <summary>
/// Starts and resumes rotation runs, one at a time per rotation: a lease in the database guards scheduled, manual
/// and API triggers alike (an atomic conditional UPDATE; a second trigger gets <see cref="RunStartStatus.AlreadyRunning"/>).
/// Runs execute in the background with their lease renewed; the caller decides whether to await the outcome.
/// A run interrupted by shutdown, a crash or a lost lease stays resumable; <see cref="ResumeAsync"/> continues it.
/// </summary>
public sealed partial class RotationEngine : IAsyncDisposable
{
    private readonly IRunStore _store;
    private readonly RotationRunner _runner;
    private readonly IRotationRunNotifier _notifier;
    private readonly IRotationFollowUpScheduler _followUps;
    private readonly IOptions<RotationEngineOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RotationEngine> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly ConcurrentDictionary<Guid, Task> _executions = new();
    private readonly CredentialRevocation? _revocation;

    public RotationEngine(
        IRunStore store,
        RotationRunner runner,
        IRotationRunNotifier notifier,
        IRotationFollowUpScheduler followUps,
        IOptions<RotationEngineOptions> options,
        TimeProvider timeProvider,
        ILogger<RotationEngine> logger,
        CredentialRevocation? revocation = null)
    {
        _revocation = revocation;
        _store = store;
        _runner = runner;
        _notifier = notifier;
        _followUps = followUps;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The lease holder name of this process: one engine, many runs (each run adds its own suffix).</summary>
    public string InstanceName { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    private RotationEngineOptions Options => _options.Value;

    /// <summary>
    /// Starts a run of the rotation. A run of a Private Key JWT rotation still waiting to retire its previous key is
    /// finished first; an interrupted run is resumed instead of starting a new one. A <see cref="RunTrigger.Schedule"/>
    /// trigger runs only when the rotation is due and auto-rotation is on.
    /// </summary>
    public async Task<RunStartResult> StartAsync(
        Guid rotationId,
        RunTrigger trigger,
        Actor actor,
        RunStartOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var holder = NewHolder();
        if (!await _store.TryAcquireLeaseAsync(rotationId, holder, Options.LeaseDuration, cancellationToken))
        {
            return await BusyOrMissingAsync(rotationId, cancellationToken);
        }

        var launched = false;
        try
        {
            var rotation = await _store.FindRotationAsync(rotationId, cancellationToken);
            if (rotation is null)
            {
                return RunStartResult.Without(RunStartStatus.NotFound, "The rotation does not exist.");
            }

            if (trigger == RunTrigger.Schedule && !IsDue(rotation))
            {
                Log.NotDue(_logger, rotationId, rotation.NextRotationAt, rotation.IsAutoRotationEnabled);
                return RunStartResult.Without(RunStartStatus.NotDue, "The rotation is not due.");
            }

            var unfinished = await _store.FindUnfinishedRunAsync(rotationId, cancellationToken);
            if (unfinished is not null)
            {
                if (RotationRunner.RetireDueAt(unfinished, rotation) is null)
                {
                    // Interrupted mid-run and nobody holds it: finishing that run is the work this trigger asks for.
                    unfinished.RecordResume();
                    launched = true;
                    return Launch(rotationId, unfinished, holder, forceRetire: false, resumed: true);
                }

                // The previous key's grace period is cut short: a new run needs its slot in Auth0.
                var retired = await ExecuteAsync(rotationId, unfinished, holder, forceRetire: true, resumed: true, releaseLease: false);
                if (retired.IsInterrupted)
                {
                    return RunStartResult.Without(RunStartStatus.AlreadyRunning, "The engine is stopping.");
                }

                rotation = await _store.FindRotationAsync(rotationId, cancellationToken) ?? rotation;
            }

            var run = RotationRun.Start(rotation, trigger, actor, _time.GetUtcNow());
            foreach (var step in Enum.GetValues<RunStepName>().Where(s => !StrategyPlan.Includes(run.Strategy, s)))
            {
                run.SkipStep(step, $"Not part of the {StrategyPlan.Label(run.Strategy)} strategy.", _time.GetUtcNow());
            }

            var allowSwitch = (options ?? RunStartOptions.Default).AllowAuthMethodSwitch || await FirstIssuanceConsentStandsAsync(rotation, cancellationToken);
            new RunCheckpoint { AllowAuthMethodSwitch = allowSwitch }.WriteTo(run);
            await _store.AddRunAsync(run, holder, cancellationToken);
            launched = true;
            return Launch(rotationId, run, holder, forceRetire: false, resumed: false);
        }
        finally
        {
            if (!launched)
            {
                await ReleaseAsync(rotationId, holder);
            }
        }
    }

    /// <summary>
    /// Continues the rotation's unfinished run: one interrupted by a crash or shutdown, or one waiting in Retire whose
    /// grace period is over (if it is not over yet, the follow-up is scheduled again).
    /// </summary>
    public async Task<RunStartResult> ResumeAsync(Guid rotationId, CancellationToken cancellationToken = default)
    {
        var holder = NewHolder();
        if (!await _store.TryAcquireLeaseAsync(rotationId, holder, Options.LeaseDuration, cancellationToken))
        {
            var lease = await _store.GetLeaseAsync(rotationId, cancellationToken);
            if (lease?.ExpiresAt is { } expiresAt && !_executions.ContainsKey(rotationId))
            {
                // Held by a holder that may have died: look again once its lease has expired.
                await _followUps.ScheduleResumeAsync(rotationId, expiresAt + TimeSpan.FromMilliseconds(100), cancellationToken);
            }

            return await BusyOrMissingAsync(rotationId, cancellationToken);
        }

        var launched = false;
        try
        {
            var rotation = await _store.FindRotationAsync(rotationId, cancellationToken);
            var run = rotation is null ? null : await _store.FindUnfinishedRunAsync(rotationId, cancellationToken);
            if (rotation is null || run is null)
            {
                return RunStartResult.Without(RunStartStatus.NothingToResume, "There is no unfinished run.");
            }

            if (RotationRunner.RetireDueAt(run, rotation) is { } due && due > _time.GetUtcNow())
            {
                await _followUps.ScheduleResumeAsync(rotationId, due, cancellationToken);
                return RunStartResult.Without(RunStartStatus.NothingToResume, $"The run waits until {due:u}.");
            }

            if (RotationRunner.RetireDueAt(run, rotation) is null)
            {
                run.RecordResume(); // interrupted, not a grace period that ended
            }

            launched = true;
            return Launch(rotationId, run, holder, forceRetire: false, resumed: true);
        }
        finally
        {
            if (!launched)
            {
                await ReleaseAsync(rotationId, holder);
            }
        }
    }

    /// <summary>The rotation's settings changed: a run of it waiting out its staged lead time looks at them again now.</summary>
    public void ReconsiderWaitingRun(Guid rotationId) => _runner.ReconsiderLeadTime(rotationId);

    /// <summary>
    /// Deletes a rotation under its lease, so no run starts meanwhile. With <paramref name="revokeCredentials"/> its
    /// generated credentials stop working first (<see cref="CredentialRevocation"/>); when that fails nothing is
    /// deleted. <paramref name="removeRecords"/> then deletes the rows in one save; it gets the revocation's audit note.
    /// </summary>
    public async Task<RotationDeletion> DeleteAsync(
        Guid rotationId,
        bool revokeCredentials,
        Func<string, CancellationToken, Task> removeRecords,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(removeRecords);
        var holder = $"{InstanceName}/delete/{Guid.NewGuid():N}";
        if (!await _store.TryAcquireLeaseAsync(rotationId, holder, TimeSpan.FromMinutes(2), cancellationToken))
        {
            return new RotationDeletion(RotationDeletionStatus.Busy, "A rotation run is in progress; delete the rotation when it has finished.");
        }

        try
        {
            var note = "";
            if (revokeCredentials)
            {
                var rotation = await _store.FindRotationAsync(rotationId, cancellationToken);
                if (rotation is null)
                {
                    return new RotationDeletion(RotationDeletionStatus.NotFound, "The rotation does not exist.");
                }

                try
                {
                    var revocation = _revocation ?? throw new InvalidOperationException("No credential revocation is configured.");
                    note = await revocation.RevokeAsync(rotation, cancellationToken);
                }
                catch (CredentialAuthorityException exception)
                {
                    return new RotationDeletion(RotationDeletionStatus.RevocationFailed, SecretScrubber.Patterns.ScrubAndTruncate(exception.Message, 1024));
                }
            }

            await removeRecords(note, cancellationToken);
            return new RotationDeletion(RotationDeletionStatus.Deleted, note);
        }
        finally
        {
            await _store.ReleaseLeaseAsync(rotationId, holder, CancellationToken.None);
        }
    }

    /// <summary>Whether a run of the rotation executes in this process right now.</summary>
    public bool IsExecuting(Guid rotationId) => _executions.ContainsKey(rotationId);

    /// <summary>Stops every run at its next await (they stay resumable) and waits for them to record where they stopped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        // The host may stop its services after the container disposed this singleton (a start-up that failed).
        if (Volatile.Read(ref _disposed) != 0) return;
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_executions.Values).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            Log.StopTimedOut(_logger, _executions.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _stopping.Dispose();
    }

    /// <summary>
    /// Consent to switch the application to Private Key JWT is given at create, for the first issuance. If that run
    /// did not get through, the consent stands for the next run until one succeeds (no delete and re-create needed).
    /// </summary>
    private async Task<bool> FirstIssuanceConsentStandsAsync(Rotation rotation, CancellationToken cancellationToken)
    {
        if (rotation.Strategy != RotationStrategy.PrivateKeyJwt || rotation.LastRotatedAt is not null)
        {
            return false;
        }

        var first = await _store.FindFirstRunAsync(rotation.Id, cancellationToken);
        return first is { Trigger: RunTrigger.Create } && RunCheckpoint.Read(first).AllowAuthMethodSwitch;
    }

    private bool IsDue(Rotation rotation)
    {
        if (!rotation.IsAutoRotationEnabled || rotation.NextRotationAt is not { } next)
        {
            return false;
        }

        // A staged rotation starts its lead time early so Auth0 switches at the rotate-at time.
        var start = rotation.Strategy == RotationStrategy.Staged ? next - rotation.StagedLeadTime : next;
        return _time.GetUtcNow() + Options.ScheduleTolerance >= start;
    }

    private RunStartResult Launch(Guid rotationId, RotationRun run, string holder, bool forceRetire, bool resumed)
    {
        var completion = ExecuteAsync(rotationId, run, holder, forceRetire, resumed, releaseLease: true);
        return new RunStartResult(resumed ? RunStartStatus.Resumed : RunStartStatus.Started, run.Id, Nullable(completion));

        static async Task<RunResult?> Nullable(Task<RunResult> task) => await task;
    }

    private Task<RunResult> ExecuteAsync(Guid rotationId, RotationRun run, string holder, bool forceRetire, bool resumed, bool releaseLease)
    {
        var task = Task.Run(async () =>
        {
            using var execution = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            using var renewal = new LeaseRenewal(_store, Options.LeaseDuration, _time, _logger, rotationId, holder, execution);
            // The run's trace: Auth0 calls and secret-store writes made inside it become its children.
            using var activity = Telemetry.DashboardTelemetry.ActivitySource.StartActivity("rotation.run");
            activity?.SetTag("rotation.id", rotationId).SetTag("run.id", run.Id).SetTag("run.strategy", run.Strategy.ToString());
            RunResult result;
            try
            {
                _notifier.Publish(new RunStartedEvent(rotationId, run.Id, run.Trigger, resumed, _time.GetUtcNow()));
                result = await _runner.RunAsync(run, holder, forceRetire, execution.Token);
            }
            catch (OperationCanceledException exception)
            {
                Log.Interrupted(_logger, run.Id, rotationId, exception is LeaseLostException ? "its lease was lost" : "the engine is stopping");
                result = new RunResult(run.Id, RunStatus.Running, "Interrupted; the run resumes later.");
            }
            catch (Exception exception)
            {
                // Most likely the database is unavailable: the run stays unfinished and is tried again shortly.
                Log.Crashed(_logger, exception, run.Id, rotationId);
                result = new RunResult(run.Id, RunStatus.Running, "Interrupted by an unexpected error; the run resumes later.");
                await TryFollowUpAsync(() => _followUps.ScheduleResumeAsync(rotationId, _time.GetUtcNow() + TimeSpan.FromMinutes(1), CancellationToken.None));
            }
            finally
            {
                await renewal.StopAsync();
                if (releaseLease)
                {
                    await ReleaseAsync(rotationId, holder);
                }
            }

            if (result.WaitingUntil is { } until)
            {
                await TryFollowUpAsync(() => _followUps.ScheduleResumeAsync(rotationId, until, CancellationToken.None));
            }

            if (!result.IsInterrupted || !_stopping.IsCancellationRequested)
            {
                await TryFollowUpAsync(() => _followUps.RescheduleAsync(rotationId, CancellationToken.None));
            }

            activity?.SetTag("run.status", result.Status.ToString());
            _notifier.Publish(new RunFinishedEvent(rotationId, run.Id, result.Status, result.Message, _time.GetUtcNow()));
            _notifier.Publish(new RotationChangedEvent(rotationId, RotationChangeKind.StateChanged, _time.GetUtcNow()));
            return result;
        });

        if (releaseLease)
        {
            _executions[rotationId] = task;
            _ = task.ContinueWith(t => _executions.TryRemove(new KeyValuePair<Guid, Task>(rotationId, t)), TaskScheduler.Default);
        }

        return task;
    }

    private async Task<RunStartResult> BusyOrMissingAsync(Guid rotationId, CancellationToken cancellationToken) =>
        await _store.GetLeaseAsync(rotationId, cancellationToken) is null
            ? RunStartResult.Without(RunStartStatus.NotFound, "The rotation does not exist.")
            : RunStartResult.Without(RunStartStatus.AlreadyRunning, "A rotation is already in progress for this rotation; try again when it has finished.");

    private async Task ReleaseAsync(Guid rotationId, string holder)
    {
        try
        {
            await _store.ReleaseLeaseAsync(rotationId, holder, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The lease expires on its own; a resume after that picks the run up.
            Log.ReleaseFailed(_logger, exception, rotationId);
        }
    }

    private async Task TryFollowUpAsync(Func<Task> followUp)
    {
        try
        {
            await followUp();
        }
        catch (Exception exception)
        {
            Log.FollowUpFailed(_logger, exception);
        }
    }

    private string NewHolder() => $"{InstanceName}/{Guid.NewGuid():N}";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled trigger for rotation {RotationId} skipped: not due (next {NextRotationAt:o}, auto-rotation {AutoRotation})")]
        public static partial void NotDue(ILogger logger, Guid rotationId, DateTimeOffset? nextRotationAt, bool autoRotation);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of rotation {RotationId} stopped because {Reason}; it resumes later")]
        public static partial void Interrupted(ILogger logger, Guid runId, Guid rotationId, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} of rotation {RotationId} stopped on an unexpected error; it resumes later")]
        public static partial void Crashed(ILogger logger, Exception exception, Guid runId, Guid rotationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of rotation {RotationId} could not be released")]
        public static partial void ReleaseFailed(ILogger logger, Exception exception, Guid rotationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A follow-up could not be scheduled")]
        public static partial void FollowUpFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} run(s) did not stop in time")]
        public static partial void StopTimedOut(ILogger logger, int count);
    }
}
