using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations.Engine.Steps;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>How a call to <see cref="RotationRunner.RunAsync"/> ended.</summary>
public sealed record RunResult(Guid RunId, RunStatus Status, string? Message, DateTimeOffset? WaitingUntil = null)
{
    /// <summary>The run paused (Private Key JWT grace period) and continues at <see cref="WaitingUntil"/>.</summary>
    public bool IsWaiting => Status == RunStatus.Running && WaitingUntil is not null;

    /// <summary>The run stopped before finishing (shutdown, lost lease); it resumes later.</summary>
    public bool IsInterrupted => Status == RunStatus.Running && WaitingUntil is null;
}

/// <summary>
/// Executes one run of a rotation: the steps of its strategy's plan (<see cref="StrategyPlan"/>, step classes in
/// <c>Steps/</c>) in order. Every step's status, timestamps and scrubbed message are persisted before the next step
/// starts, and the new credential is persisted encrypted before the identity provider is touched, so a run
/// interrupted anywhere resumes from its last stored step. Steps are idempotent. A run that cannot finish is rolled
/// back (<see cref="RunRollback"/>) to a state where the consumers' credential still works.
/// The caller holds the rotation's lease; cancellation stops the run where it is, without rolling back.
/// </summary>
/// <remarks>Ten constructor dependencies: the runner hands the engine's ports to the steps; each step uses a few.</remarks>
public sealed class RotationRunner(
    IRunStore store,
    ICredentialAuthorityFactory authorities,
    IRotationSecretStore secrets,
    IKeyPairGenerator keyPairs,
    IRotationRunNotifier notifier,
    NextRotationCalculator calculator,
    ISecretProtector protector,
    IOptions<RotationEngineOptions> options,
    TimeProvider timeProvider,
    ILogger<RotationRunner> logger)
{
    private readonly RunServices _services = new(
        store, authorities, secrets, keyPairs, notifier, calculator, protector, options, timeProvider, logger, new LeadTimeWakeups());

    // Limits the Auth0 work running at once; waits (lead time, retries' backoff) do not hold a slot.
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentRuns));

    /// <summary>Name prefix of the public-key credentials a rotation creates, so leftovers can be recognised.</summary>
    public static string CredentialNamePrefix(Guid rotationId) => $"rotation-dashboard:{rotationId:N}";

    /// <summary>When a run waiting in Retire may retire the old credential (null when it is not waiting there).</summary>
    public static DateTimeOffset? RetireDueAt(RotationRun run, Rotation rotation)
    {
        if (run.IsFinished || !StrategyPlan.Includes(run.Strategy, RunStepName.Retire))
        {
            return null;
        }

        var promote = run.Step(RunStepName.Promote);
        return promote.Status == RunStepStatus.Succeeded && promote.FinishedAt is { } promotedAt && !run.Step(RunStepName.Retire).IsFinished
            ? promotedAt + rotation.RetireGracePeriod
            : null;
    }

    /// <summary>
    /// The rotation's settings changed: a run of it waiting out its staged lead time looks at them again now (a
    /// scheduled run is withdrawn when auto-rotation was turned off; a changed lead time moves the Auth0 switch).
    /// </summary>
    public void ReconsiderLeadTime(Guid rotationId) => _services.LeadTimeWakeups.Wake(rotationId);

    /// <summary>
    /// Drives <paramref name="run"/> until it ends, or until it waits in Retire (unless <paramref name="forceRetire"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException">Stopped (shutdown or a lost lease); the run stays resumable.</exception>
    public async Task<RunResult> RunAsync(RotationRun run, string leaseHolder, bool forceRetire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rotation = await _services.Store.FindRotationAsync(run.RotationId, cancellationToken)
                       ?? throw new InvalidOperationException($"Rotation {run.RotationId} of run {run.Id} does not exist.");
        var context = new RunContext(_services, run, rotation, leaseHolder, cancellationToken);
        context.LoadPending();
        var rollback = new RunRollback(context);
        if (run.Steps.FirstOrDefault(s => s.Status == RunStepStatus.Failed) is { } failed)
        {
            // Interrupted while rolling back: finish the rollback.
            return failed.Name == RunStepName.Retire
                ? await rollback.SucceedWithCleanupPendingAsync(failed.Message ?? "The step failed.")
                : await rollback.RollBackAsync(failed.Name, failed.Message ?? $"{failed.Name} failed.");
        }

        using var limit = context.StartTimeLimit(
            context.Options.RunTimeout, "the run's", $"{RotationEngineOptions.SectionName}:{nameof(RotationEngineOptions.RunTimeout)}");
        try
        {
            foreach (var planned in StrategyPlan.For(run.Strategy))
            {
                if (run.Step(planned.Name).IsFinished)
                {
                    continue;
                }

                if (planned.WaitBefore is { } wait)
                {
                    if (await wait.WaitAsync(context, forceRetire, cancellationToken) is { } pause)
                    {
                        return new RunResult(run.Id, run.Status, pause.Note, pause.Until);
                    }

                    // A planned wait is not Auth0 work: the run's time limit starts again after it.
                    if (wait.RestartsTimeLimit)
                    {
                        limit.Restart(context.Now);
                    }
                }

                await ExecuteStepAsync(context, planned.Step, limit.Token);
            }
        }
        catch (StepAbortedException aborted) when (aborted.Step == RunStepName.Retire)
        {
            return await rollback.SucceedWithCleanupPendingAsync(aborted.Message);
        }
        catch (StepAbortedException aborted)
        {
            return await rollback.RollBackAsync(aborted.Step, aborted.Message);
        }
        catch (RunWithdrawnException withdrawn)
        {
            return await rollback.WithdrawAsync(withdrawn.Message, cancellationToken);
        }
        catch (OperationCanceledException exception) when (context.IsTimeLimitHit(exception) && run.NextStep is { } next)
        {
            // The limit passed between steps (waiting for a slot): the step that was due fails.
            var reason = $"{next.Name} failed: {context.Explain(exception)}";
            if (next.Status == RunStepStatus.Pending)
            {
                run.StartStep(next.Name, context.Now);
            }

            run.FailStep(next.Name, reason, context.Scrubber, context.Now);
            await context.SaveAsync();
            context.PublishStep(next.Name);
            return await rollback.RollBackAsync(next.Name, reason);
        }

        var message = context.IsSecretStrategy
            ? "Rotated: the new client secret is live in Auth0, verified and mapped as CURRENT."
            : "Rotated: the new key is live in Auth0, verified and mapped as CURRENT; the previous key is retired.";
        run.Succeed(message, context.Scrubber, context.Now);
        await context.SaveAsync();
        RunLog.RunSucceeded(_services.Logger, run.Id, context.Rotation.Id);
        return new RunResult(run.Id, run.Status, run.Message);
    }

    /// <summary>One step, write-ahead: Running is saved before it starts, its outcome before the next one.</summary>
    private async Task ExecuteStepAsync(RunContext context, IRunStep step, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            var run = context.Run;
            var name = step.Name;
            run.StartStep(name, context.Now);
            context.CurrentStep = name;
            await context.SaveAsync();
            context.PublishStep(name);
            var started = Stopwatch.GetTimestamp();

            StepOutcome outcome;
            try
            {
                outcome = await step.ExecuteAsync(context, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || context.IsTimeLimitHit(exception))
            {
                var reason = $"{name} failed: {context.Explain(exception)}";
                RunLog.StepFailed(_services.Logger, run.Id, name, context.Scrubber.Scrub(reason));
                run.FailStep(name, reason, context.Scrubber, context.Now);
                await context.SaveAsync();
                context.PublishStep(name);
                throw new StepAbortedException(name, reason);
            }

            run.CompleteStep(name, outcome.Message, context.Scrubber, context.Now);
            var saved = await context.SaveAsync(outcome.RotationChange, outcome.Audit);
            context.Rotation = saved ?? context.Rotation;
            context.PublishStep(name);
            RunLog.StepSucceeded(_services.Logger, run.Id, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A step failed and its failure is saved; the run rolls back (or, in Retire, ends with clean-up pending).</summary>
    private sealed class StepAbortedException(RunStepName step, string reason) : Exception(reason)
    {
        public RunStepName Step { get; } = step;
    }
}
