using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// The one retry policy of a run's steps, used by every step for its Auth0 calls and secret store writes.
/// </summary>
/// <remarks>
/// Why this layer alone: the Auth0 HTTP pipeline retries transient failures of the UI's and the API's calls, but the
/// engine's Auth0 connections turn that off (<c>RetryTransientFailures=false</c>, see <c>Auth0HttpPipeline</c>), so a
/// run's Management API call is sent once per attempt made here. Two stacked layers would multiply the attempts of a
/// step; this one knows the run's time limit (<see cref="RotationEngineOptions.RunTimeout"/>) and tells the UI what the
/// run waits for. Verify's polling for Auth0's propagation delay is not a retry of failures and stays in that step.
/// </remarks>
internal static class StepRetryPolicy
{
    /// <summary>
    /// Runs an Auth0 call, retrying a transient failure (429, 5xx, timeouts) up to
    /// <see cref="RotationEngineOptions.TransientRetryAttempts"/> times with exponential backoff and jitter, within the
    /// run's time limit (<paramref name="ct"/>).
    /// </summary>
    public static async Task<T> CallAuthorityAsync<T>(RunContext context, Func<ICredentialAuthority, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var options = context.Options;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var authority = await context.AuthorityAsync(ct);
                return await call(authority, ct);
            }
            catch (CredentialAuthorityException exception) when (exception.IsTransient && attempt < options.TransientRetryAttempts)
            {
                var delay = Backoff.Delay(attempt, options.TransientRetryBaseDelay, options.TransientRetryMaxDelay);
                context.LastTransientError = context.Scrubber.Scrub(exception.Message);
                RunLog.RetryingTransient(context.Services.Logger, context.Run.Id, attempt + 1, delay.TotalMilliseconds, context.LastTransientError);
                await NoteWaitingForAuth0Async(context, attempt + 2, context.Now + delay);
                await Task.Delay(delay, context.Services.Time, ct);
            }
        }
    }

    /// <summary>
    /// Runs a secret store write. A lost optimistic-concurrency race (someone else saved the secret a moment ago) is
    /// worth two more tries; any other failure fails the step.
    /// </summary>
    public static async Task CallSecretStoreAsync(RunContext context, Func<Task<OperationResult>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await call();
            if (result.Succeeded)
            {
                return;
            }

            if (result.Failure!.Kind != OperationFailureKind.Conflict || attempt >= 2 || !result.Failure.Message.Contains("changed by someone else", StringComparison.Ordinal))
            {
                throw new StepFailedException(result.Failure.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), context.Services.Time);
        }
    }

    /// <summary>Tells readers of the running step why it waits and when the run gives up.</summary>
    private static async Task NoteWaitingForAuth0Async(RunContext context, int nextAttempt, DateTimeOffset nextTryAt)
    {
        var run = context.Run;
        if (context.CurrentStep is not { } step || run.Step(step).Status != RunStepStatus.Running)
        {
            return;
        }

        var givesUp = context.Limit is { } limit ? $"; the run gives up at {limit.EndsAt:HH:mm:ss} UTC" : "";
        run.NoteStep(step, $"Waiting for Auth0 (attempt {nextAttempt}, next try at {nextTryAt:HH:mm:ss} UTC{givesUp}). Last answer: {context.LastTransientError}", context.Scrubber);
        await context.SaveAsync();
        context.PublishStep(step);
    }
}

/// <summary>Exponential backoff with ±20 % jitter.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponential = baseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        return Jitter(TimeSpan.FromTicks((long)Math.Min(exponential, maxDelay.Ticks)));
    }

    public static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (Random.Shared.NextDouble() * 0.4))));
}
