using RotationDashboard.Core.Audit;

namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Maps the verified credential as CURRENT (single-phase sets it; staged and Private Key JWT promote NEXT, keeping
/// the old values as PREVIOUS) and records the success on the rotation. Nothing to undo: a run that fails later (in
/// Retire) has rotated.
/// </summary>
internal sealed class PromoteStep : IRunStep
{
    public static PromoteStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Promote;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var run = context.Run;
        var secrets = context.Services.Secrets;
        var folderId = context.Rotation.FolderId;
        var pending = context.RequirePending();
        var values = context.MappedValues(pending);
        var primaryKey = context.PrimaryKey();
        var primaryValue = values[primaryKey];
        string message;
        if (run.Strategy == RotationStrategy.SinglePhase)
        {
            var current = await secrets.ReadCurrentAsync(folderId, primaryKey, cancellationToken);
            if (!string.Equals(current?.Value, primaryValue, StringComparison.Ordinal))
            {
                await context.CallSecretStoreAsync(() => secrets.SetCurrentAsync(context.Identity, folderId, values, context.Actor, cancellationToken));
            }

            message = $"Mapped as CURRENT: {string.Join(", ", values.Keys)}. The previous secret no longer works in Auth0.";
        }
        else
        {
            var next = await secrets.ReadNextAsync(folderId, primaryKey, cancellationToken);
            if (string.Equals(next?.Value, primaryValue, StringComparison.Ordinal))
            {
                await context.CallSecretStoreAsync(() => secrets.PromoteNextAsync(context.Identity, folderId, values.Keys.ToList(), context.Actor, cancellationToken));
            }
            else
            {
                var current = await secrets.ReadCurrentAsync(folderId, primaryKey, cancellationToken);
                if (!string.Equals(current?.Value, primaryValue, StringComparison.Ordinal))
                {
                    throw new StepFailedException($"The NEXT value this run published for {primaryKey} is no longer there.");
                }
            }

            message = $"Promoted NEXT to CURRENT: {string.Join(", ", values.Keys)}; the old values are kept as PREVIOUS.";
        }

        var now = context.Now;
        var services = context.Services;
        var isSecret = context.IsSecretStrategy;
        return new StepOutcome(
            message,
            rotation =>
            {
                StorePromotedCredential(rotation, pending, isSecret, services.Protector, now);
                rotation.RecordSuccess(run.Id, run.IsManual, services.Calculator, now);
            },
            context.Audit(AuditOutcome.Success, $"Run {run.Id} ({run.Trigger}, {StrategyPlan.Label(run.Strategy)}): the new credential is live and verified."));
    }

    public Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The new credential becomes the active slot; a replaced client secret is marked retired.</summary>
    public static void StorePromotedCredential(
        Rotation rotation,
        GeneratedCredential pending,
        bool isSecretStrategy,
        Encryption.ISecretProtector protector,
        DateTimeOffset now)
    {
        var slots = rotation.ReadGeneratedCredentials(protector).ToList();
        var fresh = pending with { RetiredAt = null };
        int active;
        if (slots.Count == 0)
        {
            slots.Add(fresh);
            active = 0;
        }
        else
        {
            var previous = slots[rotation.ActiveIndex];
            if (isSecretStrategy)
            {
                // Auth0 keeps one secret per application: the replaced one is dead (Infisical labels it "retired
                // credentials, revoked during the next rotation", which is wrong for Auth0).
                previous = previous with { RetiredAt = previous.RetiredAt ?? now };
            }

            if (slots.Count == 1)
            {
                slots = [previous, fresh];
                active = 1;
            }
            else
            {
                slots[rotation.ActiveIndex] = previous;
                slots[rotation.InactiveIndex] = fresh;
                active = rotation.InactiveIndex;
            }
        }

        rotation.StoreGeneratedCredentials(slots, active, protector, now);
    }
}
