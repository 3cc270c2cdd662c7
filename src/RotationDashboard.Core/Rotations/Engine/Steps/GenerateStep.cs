namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Creates the new credential (a client secret, or an RSA key pair) and stores it encrypted in the run, so it is
/// saved before anything outside the run sees it. Nothing to undo: the credential stays with the run.
/// </summary>
internal sealed class GenerateStep : IRunStep
{
    public static GenerateStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Generate;

    public Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (context.Pending is not null)
        {
            return Task.FromResult(new StepOutcome("Kept the credential generated before the interruption."));
        }

        var options = context.Options;
        if (context.IsSecretStrategy)
        {
            var secret = ClientSecretGenerator.Generate(options.ClientSecretLength);
            context.StorePending(new GeneratedCredential(context.ClientId, ClientSecret: secret, CreatedAt: context.Now));
            return Task.FromResult(new StepOutcome($"Generated a new {secret.Length}-character client secret and stored it encrypted."));
        }

        var keyPair = context.Services.KeyPairs.Generate(options.RsaKeySize);
        context.StorePending(new GeneratedCredential(context.ClientId, PrivateKeyPem: keyPair.PrivateKeyPem, KeyId: keyPair.KeyId, CreatedAt: context.Now));
        return Task.FromResult(new StepOutcome($"Generated a {keyPair.KeySize}-bit RSA key pair (key id {keyPair.KeyId}) and stored it encrypted."));
    }

    public Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;
}
