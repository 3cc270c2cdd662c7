namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>Publishes the new credential as NEXT, so consumers can pick it up before Auth0 switches; undo withdraws it.</summary>
internal sealed class PublishStep : IRunStep
{
    public static PublishStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Publish;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var values = context.MappedValues(context.RequirePending());
        await context.CallSecretStoreAsync(() =>
            context.Services.Secrets.PublishNextAsync(context.Identity, context.Rotation.FolderId, values, context.Actor, cancellationToken));
        return new StepOutcome($"Published as NEXT: {string.Join(", ", values.Keys)}.");
    }

    public async Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken)
    {
        if (context.PublishedNext())
        {
            await DiscardNextAsync(context, cancellationToken);
            actions.Add("withdrew the NEXT values");
        }
    }

    /// <summary>Removes this run's NEXT values; CURRENT stays.</summary>
    public static Task DiscardNextAsync(RunContext context, CancellationToken cancellationToken) =>
        context.CallSecretStoreAsync(() =>
            context.Services.Secrets.DiscardNextAsync(context.Identity, context.Rotation.FolderId, context.MappedKeys(), context.Actor, cancellationToken));
}
