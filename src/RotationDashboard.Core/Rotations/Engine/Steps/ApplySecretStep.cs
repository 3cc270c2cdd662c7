namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Client-secret strategies: sets the new secret in Auth0 (which keeps one secret, so the old one stops working).
/// Undo sets the CURRENT secret again; on a first issuance there is nothing older, so the run keeps the new one.
/// </summary>
internal sealed class ApplySecretStep : IRunStep
{
    public static ApplySecretStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Apply;

    public bool ChangesAuthority => true;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var clientId = context.ClientId;
        var application = await context.CallAuthorityAsync((a, token) => a.GetApplicationAsync(clientId, includeCredentials: false, token), cancellationToken);
        if (application.AuthMethod == ApplicationAuthMethod.PrivateKeyJwt)
        {
            throw new StepFailedException(
                $"Application {clientId} authenticates with Private Key JWT, so it has no client secret to rotate. Use an auth0-private-key-jwt rotation.");
        }

        if (application.AuthMethod == ApplicationAuthMethod.None)
        {
            throw new StepFailedException($"Application {clientId} is a public application (no client secret).");
        }

        if (context.Checkpoint.AuthMethodBeforeApply is null)
        {
            context.SetCheckpoint(context.Checkpoint with { AuthMethodBeforeApply = application.AuthMethod, AuthorityChanged = false });
        }

        await context.RecordAuthorityChangeAsync();
        var secret = context.RequirePending().ClientSecret!;
        await context.CallAuthorityAsync((a, token) => a.SetClientSecretAsync(clientId, secret, token), cancellationToken);
        return new StepOutcome("Set the new client secret in Auth0.", rotation => rotation.RecordApplicationName(application.Name));
    }

    public async Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken)
    {
        if (!context.MayHaveChangedAuthority())
        {
            return;
        }

        var current = await context.Services.Secrets.ReadCurrentAsync(context.Rotation.FolderId, context.PrimaryKey(), cancellationToken);
        if (current is null)
        {
            actions.Add("no earlier secret to restore in Auth0 (first issuance)");
            context.KeepPending = context.Run.Step(RunStepName.Apply).Status == RunStepStatus.Succeeded;
            return;
        }

        context.RememberSecret(current.Value);
        if (string.Equals(current.Value, context.Pending?.ClientSecret, StringComparison.Ordinal))
        {
            return;
        }

        var clientId = context.ClientId;
        await context.CallAuthorityAsync((a, token) => a.SetClientSecretAsync(clientId, current.Value, token), cancellationToken);
        actions.Add("set the CURRENT client secret in Auth0 again");
    }
}
