using Microsoft.Extensions.Logging;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>The log messages of a run (written under the <see cref="RotationRunner"/> category).</summary>
internal static partial class RunLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {Step} succeeded in {ElapsedMs:0} ms")]
    public static partial void StepSucceeded(ILogger logger, Guid runId, RunStepName step, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} failed: {Reason}")]
    public static partial void StepFailed(ILogger logger, Guid runId, RunStepName step, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of rotation {RotationId} succeeded")]
    public static partial void RunSucceeded(ILogger logger, Guid runId, Guid rotationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of rotation {RotationId} succeeded, but the previous key could not be retired; the next run removes it")]
    public static partial void RunSucceededWithCleanupPending(ILogger logger, Guid runId, Guid rotationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of rotation {RotationId} failed at {Step} and ended {Status}")]
    public static partial void RunRolledBack(ILogger logger, Guid runId, Guid rotationId, RunStepName step, RunStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotation {RotationId} paused after {Failures} failed runs in a row; auto-rotation is off until turned on again")]
    public static partial void RotationPaused(ILogger logger, Guid rotationId, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of rotation {RotationId} withdrawn in its lead time: auto-rotation was turned off")]
    public static partial void RunWithdrawn(ILogger logger, Guid runId, Guid rotationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} waits for the lead time until {Due:o}")]
    public static partial void WaitingForLeadTime(ILogger logger, Guid runId, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} waits in Retire until {Due:o}")]
    public static partial void WaitingForRetire(ILogger logger, Guid runId, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: retryable failure, attempt {Attempt}, next try in {DelayMs:0} ms: {Reason}")]
    public static partial void RetryingTransient(ILogger logger, Guid runId, int attempt, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId}: verification attempt {Attempt} answered {Outcome}; next in {DelayMs:0} ms")]
    public static partial void VerifyRetry(ILogger logger, Guid runId, int attempt, CredentialCheckOutcome outcome, double delayMs);
}
