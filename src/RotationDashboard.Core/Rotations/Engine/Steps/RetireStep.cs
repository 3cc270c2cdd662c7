namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Private Key JWT: detaches every key but the active one and deletes the previous key of this rotation. Nothing to
/// undo: when it fails the rotation has still happened, and the next run's Apply cleans up.
/// </summary>
internal sealed class RetireStep : IRunStep
{
    public static RetireStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Retire;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var clientId = context.ClientId;
        var rotation = context.Rotation;
        var protector = context.Services.Protector;
        var slots = rotation.ReadGeneratedCredentials(protector);
        var active = slots.Count > 0 ? slots[rotation.ActiveIndex] : null;
        var old = slots.Count == Rotation.MaxSlots ? slots[rotation.InactiveIndex] : null;
        if (active?.CredentialId is not { } activeId)
        {
            throw new StepFailedException("The rotation has no active credential id to keep.");
        }

        var application = await context.CallAuthorityAsync((a, token) => a.GetApplicationAsync(clientId, includeCredentials: true, token), cancellationToken);
        if (application.Credentials.All(c => c.Id != activeId))
        {
            throw new StepFailedException($"The active credential {activeId} is missing in Auth0; the old one is kept attached.");
        }

        var detached = application.AttachedCredentialIds.Where(id => id != activeId).ToList();
        if (detached.Count > 0)
        {
            await context.CallAuthorityAsync((a, token) => a.AttachPublicKeyCredentialsAsync(clientId, [activeId], token), cancellationToken);
        }

        var deleted = false;
        if (old?.CredentialId is { } oldId && oldId != activeId)
        {
            await context.CallAuthorityAsync((a, token) => a.DeleteCredentialAsync(clientId, oldId, token), cancellationToken);
            deleted = true;
        }

        var foreign = detached.Where(id => id != old?.CredentialId).ToList();
        var message = (deleted, detached.Count) switch
        {
            (true, _) => $"Detached and deleted the previous credential {old!.CredentialId}.",
            (false, > 0) => "Detached the previous credential(s).",
            _ => "Nothing left to retire.",
        };
        if (foreign.Count > 0)
        {
            message += $" Detached credential(s) the rotation did not create (kept in Auth0, disabled): {string.Join(", ", foreign)}.";
        }

        var now = context.Now;
        return new StepOutcome(message, r =>
        {
            var current = r.ReadGeneratedCredentials(protector).ToList();
            if (current.Count == Rotation.MaxSlots && current[r.InactiveIndex].RetiredAt is null)
            {
                current[r.InactiveIndex] = current[r.InactiveIndex] with { RetiredAt = now };
                r.StoreGeneratedCredentials(current, r.ActiveIndex, protector, now);
            }
        });
    }

    public Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;
}
