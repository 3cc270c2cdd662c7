namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Asks Auth0 for a token with the new credential until it is accepted or <see cref="RotationEngineOptions.VerifyTimeout"/>
/// passes. Nothing to undo: a token request changes nothing.
/// </summary>
internal sealed class VerifyStep : IRunStep
{
    public static VerifyStep Instance { get; } = new();

    public RunStepName Name => RunStepName.Verify;

    public async Task<StepOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        var clientId = context.ClientId;
        var pending = context.RequirePending();
        var method = context.SecretMethod;
        var isSecret = context.IsSecretStrategy;
        var (check, attempts, elapsed) = await PollAsync(
            context,
            (a, token) => isSecret
                ? a.VerifyClientSecretAsync(clientId, pending.ClientSecret!, method, token)
                : a.VerifyPrivateKeyAsync(clientId, pending.PrivateKeyPem!, pending.KeyId, token),
            cancellationToken);
        var what = isSecret ? "client secret" : "key";
        return check.Outcome switch
        {
            CredentialCheckOutcome.Accepted => new StepOutcome(
                $"Auth0 accepted the new {what} ({check.Detail}) after {attempts} attempt(s) in {elapsed.TotalSeconds:0.0} s."),
            CredentialCheckOutcome.Rejected => throw new StepFailedException(
                $"Auth0 still rejects the new {what} after {attempts} attempt(s) in {elapsed.TotalSeconds:0.0} s ({check.Detail}); it does not work."),
            CredentialCheckOutcome.Transient => throw new StepFailedException(
                $"Auth0 could not confirm the new {what} within {elapsed.TotalSeconds:0.0} s ({attempts} attempt(s); last answer: {check.Detail})."),
            _ => throw new StepFailedException($"Auth0 refused the token request for the new {what}: {check.Detail}."),
        };
    }

    public Task UndoAsync(RunContext context, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Polls for Auth0's propagation delay. Not a retry of failures (the step retry policy covers those): a 401 or a
    /// transient answer right after a change is expected, so it asks again, with doubling pauses, until the deadline.
    /// </summary>
    private static async Task<(CredentialCheck Check, int Attempts, TimeSpan Elapsed)> PollAsync(
        RunContext context,
        Func<ICredentialAuthority, CancellationToken, Task<CredentialCheck>> check,
        CancellationToken ct)
    {
        var time = context.Services.Time;
        var options = context.Options;
        var started = time.GetTimestamp();
        var deadline = options.VerifyTimeout;
        var delay = options.VerifyInitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            var authority = await context.AuthorityAsync(ct);
            var result = await check(authority, ct);
            var elapsed = time.GetElapsedTime(started);
            if (result.Outcome is CredentialCheckOutcome.Accepted or CredentialCheckOutcome.Error)
            {
                return (result, attempt, elapsed);
            }

            var pause = Backoff.Jitter(delay);
            if (elapsed + pause > deadline)
            {
                return (result, attempt, elapsed);
            }

            RunLog.VerifyRetry(context.Services.Logger, context.Run.Id, attempt, result.Outcome, pause.TotalMilliseconds);
            await Task.Delay(pause, time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.VerifyMaxDelay.Ticks));
        }
    }
}
