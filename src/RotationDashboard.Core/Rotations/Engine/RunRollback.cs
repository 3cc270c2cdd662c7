using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// How a run that cannot finish ends: its started steps are undone, latest first, so the consumers' credential keeps
/// working; when Auth0 cannot be put back, the run asks Auth0 which credential works and maps that one as CURRENT.
/// Also ends a withdrawn run, and a run whose Retire failed after the rotation happened.
/// </summary>
internal sealed class RunRollback(RunContext context)
{
    private RotationRun Run => context.Run;

    public async Task<RunResult> RollBackAsync(RunStepName failedStep, string reason)
    {
        var actions = new List<string>();
        var changedAuthority = context.MayHaveChangedAuthority();
        using var limit = StartRollbackTimeLimit();
        var ct = limit.Token;
        string? incomplete = null;
        foreach (var step in StrategyPlan.For(Run.Strategy).Select(p => p.Step).Reverse())
        {
            if (Run.Step(step.Name).Status is RunStepStatus.Pending or RunStepStatus.Skipped)
            {
                continue;
            }

            try
            {
                await step.UndoAsync(context, actions, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || context.IsTimeLimitHit(exception))
            {
                if (step.ChangesAuthority)
                {
                    // Auth0 may hold the new credential, the old one, or both: find out before touching the store.
                    return await ConvergeAsync(failedStep, reason, context.Explain(exception));
                }

                incomplete = context.Explain(exception);
                break;
            }
        }

        var summary = changedAuthority
            ? actions.Count > 0 ? $" Rolled back: {string.Join("; ", actions)}." : ""
            : " Nothing had changed in Auth0" + (actions.Count > 0 ? $"; {string.Join("; ", actions)}." : ".");
        var consumers = Run.Trigger == RunTrigger.Create ? "" : " Consumers keep their CURRENT credential.";
        string message;
        if (incomplete is null && !context.KeepPending)
        {
            message = reason + summary + consumers;
            Run.RollBack(message, context.Scrubber, context.Now);
        }
        else if (incomplete is null)
        {
            // Auth0 holds the new secret and there is nothing older to go back to: keep it (encrypted) in the run.
            message = reason + summary + " The generated secret is kept, encrypted, with this run.";
            Run.Fail(message, context.Scrubber, context.Now);
        }
        else
        {
            message = $"{reason}{summary} Withdrawing NEXT failed: {incomplete}";
            Run.Fail(message, context.Scrubber, context.Now);
        }

        return await RecordFailureAsync(failedStep, message, needsAttention: incomplete is not null);
    }

    /// <summary>Ends a run that has not touched Auth0 yet: its NEXT values go, CURRENT and the rotation's status stay.</summary>
    public async Task<RunResult> WithdrawAsync(string reason, CancellationToken ct)
    {
        try
        {
            await PublishStep.DiscardNextAsync(context, ct);
        }
        catch (StepFailedException exception)
        {
            return await RollBackAsync(RunStepName.Apply, $"{reason} Withdrawing NEXT failed: {exception.Message}");
        }

        var message = $"{reason} The NEXT values were withdrawn before Auth0 was touched; consumers keep their CURRENT credential.";
        Run.RollBack(message, context.Scrubber, context.Now);
        await context.SaveAsync(auditEvent: context.Audit(AuditOutcome.Success,
            context.Scrubber.ScrubAndTruncate($"Run {Run.Id} ({Run.Trigger}): {message}", 1900)));
        RunLog.RunWithdrawn(context.Services.Logger, Run.Id, context.Rotation.Id);
        return new RunResult(Run.Id, Run.Status, Run.Message);
    }

    public async Task<RunResult> SucceedWithCleanupPendingAsync(string reason)
    {
        // The new key is live in Auth0, verified and mapped as CURRENT: the rotation happened. Only removing the
        // previous key failed (the Retire step stays failed with its reason); nothing to roll back. The next run's
        // Apply detaches the previous key and deletes this rotation's detached leftovers.
        var message = $"Rotated; clean-up pending: {reason} The previous key stays in Auth0 until the next rotation removes it.";
        var now = context.Now;
        var scrubbed = context.Scrubber.ScrubAndTruncate(message, RotationRules.MaxMessageLength);
        var protector = context.Services.Protector;
        Run.Succeed(message, context.Scrubber, now);
        await context.SaveAsync(
            rotation => rotation.RecordCleanupPending(Run.Id, scrubbed, protector, now),
            context.Audit(AuditOutcome.Success,
                context.Scrubber.ScrubAndTruncate($"Run {Run.Id} ({Run.Trigger}) succeeded with a warning: {message}", 1900)));
        RunLog.RunSucceededWithCleanupPending(context.Services.Logger, Run.Id, context.Rotation.Id);
        return new RunResult(Run.Id, Run.Status, Run.Message);
    }

    /// <summary>
    /// The rollback could not reach Auth0. Asks Auth0 which credential it accepts (a token request with CURRENT,
    /// then with the new one) and maps that one as CURRENT, so a consumer that reads CURRENT alone keeps working.
    /// The rotation is flagged for a person either way; the message says exactly what was found and done.
    /// </summary>
    private async Task<RunResult> ConvergeAsync(RunStepName failedStep, string reason, string rollbackFailure)
    {
        using var limit = StartRollbackTimeLimit();
        var ct = limit.Token;
        var what = context.IsSecretStrategy ? "client secret" : "key";
        var steps = new List<string>();
        try
        {
            var current = await ReadCurrentCredentialAsync(ct);
            var currentCheck = current is null ? null : await CheckCredentialAsync(current, ct);
            var newCheck = currentCheck?.Outcome == CredentialCheckOutcome.Accepted ? null : await CheckCredentialAsync(context.RequirePending(), ct);
            var found = (currentCheck?.Outcome, newCheck?.Outcome) switch
            {
                (CredentialCheckOutcome.Accepted, _) => $"Auth0 accepts CURRENT",
                (_, CredentialCheckOutcome.Accepted) => $"Auth0 {(current is null ? "has no CURRENT to check" : "rejects CURRENT")} and accepts the new {what}",
                _ => $"Auth0 accepts neither CURRENT ({currentCheck?.Detail ?? "none stored"}) nor the new {what} ({newCheck?.Detail})",
            };
            steps.Add($"checked with token requests: {found}");

            if (currentCheck?.Outcome == CredentialCheckOutcome.Accepted)
            {
                if (context.PublishedNext())
                {
                    await PublishStep.DiscardNextAsync(context, ct);
                    steps.Add("withdrew the NEXT values");
                }

                if (!context.IsSecretStrategy)
                {
                    steps.Add("the new key may still be stored in Auth0; the next rotation removes it");
                }
            }
            else if (newCheck?.Outcome == CredentialCheckOutcome.Accepted)
            {
                await MapPendingAsCurrentAsync(ct);
                steps.Add($"mapped the new {what} as CURRENT (rolled forward)");
                var now = context.Now;
                var pending = context.RequirePending();
                var isSecret = context.IsSecretStrategy;
                var protector = context.Services.Protector;
                var message = $"{reason} Rollback incomplete: {rollbackFailure} Then {string.Join("; ", steps)}. Needs attention: the run did not finish as planned.";
                Run.Fail(message, context.Scrubber, now);
                return await RecordFailureAsync(failedStep, message, needsAttention: true,
                    rotation => PromoteStep.StorePromotedCredential(rotation, pending, isSecret, protector, now));
            }
            else
            {
                steps.Add("left CURRENT and NEXT as they are; the generated credential stays encrypted with this run");
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || context.IsTimeLimitHit(exception))
        {
            steps.Add($"could not finish that: {context.Explain(exception)}");
        }

        var summary = $"{reason} Rollback incomplete: {rollbackFailure} Then {string.Join("; ", steps)}. Needs attention: the run did not finish as planned.";
        Run.Fail(summary, context.Scrubber, context.Now);
        return await RecordFailureAsync(failedStep, summary, needsAttention: true);
    }

    private async Task<RunResult> RecordFailureAsync(RunStepName failedStep, string message, bool needsAttention, Action<Rotation>? alsoChange = null)
    {
        var now = context.Now;
        var scrubbed = context.Scrubber.ScrubAndTruncate(message, RotationRules.MaxMessageLength);
        var services = context.Services;
        var pauseAfter = context.Options.PauseAfterConsecutiveFailures;
        var paused = false;
        var saved = await context.SaveAsync(
            rotation =>
            {
                alsoChange?.Invoke(rotation);
                // Applied to the freshly loaded row (again on a concurrency retry): the last application decides.
                paused = rotation.RecordFailure(Run.Id, scrubbed, Run.IsManual, services.Protector, services.Calculator, now, needsAttention, pauseAfter);
            },
            context.Audit(AuditOutcome.Failure,
                context.Scrubber.ScrubAndTruncate($"Run {Run.Id} ({Run.Trigger}) failed at {failedStep}: {message}", 1900)));
        RunLog.RunRolledBack(services.Logger, Run.Id, context.Rotation.Id, failedStep, Run.Status);
        if (paused && saved is not null)
        {
            // The pause is the system's decision, not the run actor's: its own entry, saved right after the failure.
            await context.SaveAsync(auditEvent: AuditEvent.Record(now, Actor.System, AuditActions.RotationPaused,
                AuditTarget.Rotation(saved.Id, saved.Name), AuditOutcome.Success,
                $"Auto-rotation paused after {saved.ConsecutiveFailures} failed runs in a row (last: run {Run.Id}); turn auto-rotation on to resume."));
            RunLog.RotationPaused(services.Logger, saved.Id, saved.ConsecutiveFailures);
        }
        return new RunResult(Run.Id, Run.Status, Run.Message);
    }

    private RunTimeLimit StartRollbackTimeLimit() => context.StartTimeLimit(
        context.Options.RollbackTimeout, "the rollback's", $"{RotationEngineOptions.SectionName}:{nameof(RotationEngineOptions.RollbackTimeout)}");

    /// <summary>The credential consumers read as CURRENT today (null on a first issuance).</summary>
    private async Task<GeneratedCredential?> ReadCurrentCredentialAsync(CancellationToken ct)
    {
        var secrets = context.Services.Secrets;
        var folderId = context.Rotation.FolderId;
        var primary = await secrets.ReadCurrentAsync(folderId, context.PrimaryKey(), ct);
        if (primary is null)
        {
            return null;
        }

        context.RememberSecret(primary.Value);
        if (context.IsSecretStrategy)
        {
            return new GeneratedCredential(context.ClientId, ClientSecret: primary.Value, CreatedAt: context.Now);
        }

        var keyId = context.Rotation.SecretsMapping.KeyId is { } keyIdName ? await secrets.ReadCurrentAsync(folderId, keyIdName, ct) : null;
        return new GeneratedCredential(context.ClientId, PrivateKeyPem: primary.Value, KeyId: keyId?.Value, CreatedAt: context.Now);
    }

    /// <summary>One token request with the credential (no propagation retries: Auth0 changed nothing since Verify).</summary>
    private async Task<CredentialCheck> CheckCredentialAsync(GeneratedCredential credential, CancellationToken ct)
    {
        var authority = await context.AuthorityAsync(ct);
        return context.IsSecretStrategy
            ? await authority.VerifyClientSecretAsync(context.ClientId, credential.ClientSecret!, context.SecretMethod, ct)
            : await authority.VerifyPrivateKeyAsync(context.ClientId, credential.PrivateKeyPem!, credential.KeyId, ct);
    }

    /// <summary>Rolls forward in the store: the new credential becomes CURRENT (promoted from NEXT when published there).</summary>
    private async Task MapPendingAsCurrentAsync(CancellationToken ct)
    {
        var secrets = context.Services.Secrets;
        var folderId = context.Rotation.FolderId;
        var values = context.MappedValues(context.RequirePending());
        var primaryKey = context.PrimaryKey();
        var next = context.PublishedNext() ? await secrets.ReadNextAsync(folderId, primaryKey, ct) : null;
        if (string.Equals(next?.Value, values[primaryKey], StringComparison.Ordinal))
        {
            await context.CallSecretStoreAsync(() => secrets.PromoteNextAsync(context.Identity, folderId, values.Keys.ToList(), context.Actor, ct));
        }
        else
        {
            await context.CallSecretStoreAsync(() => secrets.SetCurrentAsync(context.Identity, folderId, values, context.Actor, ct));
        }
    }
}
