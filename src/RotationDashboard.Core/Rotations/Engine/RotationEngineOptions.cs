using Microsoft.Extensions.Options;
using RotationDashboard.Core.Scheduling;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// Settings of the rotation engine (section <c>RotationEngine</c>). Defaults suit a real Auth0 tenant: a new client
/// secret can take up to ~30 s to work, so verification keeps trying for 45 s.
/// </summary>
public sealed class RotationEngineOptions
{
    public const string SectionName = "RotationEngine";

    /// <summary>Length of generated client secrets (48-256; Auth0's guidance is at least 48).</summary>
    public int ClientSecretLength { get; set; } = ClientSecretGenerator.DefaultLength;

    /// <summary>RSA key size for Private Key JWT credentials (2048-4096, a multiple of 8).</summary>
    public int RsaKeySize { get; set; } = 2048;

    /// <summary>How long Verify keeps asking Auth0 for a token with the new credential (propagation delay).</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>First pause between verification attempts; it doubles up to <see cref="VerifyMaxDelay"/>.</summary>
    public TimeSpan VerifyInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan VerifyMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Retries of a step's Auth0 call after a retryable failure (429, 5xx, timeouts), with exponential backoff and
    /// jitter from <see cref="TransientRetryBaseDelay"/>. A run's Management API calls are retried here only: the
    /// Auth0 client sends each of them once, so a step makes at most this many + 1 attempts (about a minute of outage
    /// at the default delays), all within <see cref="RunTimeout"/>.
    /// </summary>
    public int TransientRetryAttempts { get; set; } = 5;

    public TimeSpan TransientRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan TransientRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a run may work on Auth0 before it gives up, fails and rolls back (a staged run's lead time and a
    /// Private Key JWT run's grace period do not count; the budget starts again after them). The default leaves room
    /// for Verify's 45 s, the engine's retries and a few rate-limit waits, and ends a run in an outage well before
    /// anyone has to wonder whether it will.
    /// </summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How long the rollback of a failed run (and finding out which credential Auth0 accepts) may take.</summary>
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a run's claim on its rotation lasts without renewal; renewed every third of it while running.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Steps doing work (Auth0 calls, store writes) at once in this process; runs waiting for a lead time or a backoff
    /// do not count. Auth0's rate limits apply per tenant on top (Auth0 client options).
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = 8;

    /// <summary>When a failed rotation is tried again.</summary>
    public FailedRotationRetryPolicy FailedRetryPolicy { get; set; } = FailedRotationRetryPolicy.NextOccurrenceOfRotateAt;

    /// <summary>
    /// After this many failed runs in a row (manual ones included) auto-rotation is paused until a person turns it on
    /// again or a run succeeds (0-100; 0 = never pause, retry at every <see cref="FailedRetryPolicy"/> time).
    /// </summary>
    public int PauseAfterConsecutiveFailures { get; set; } = 5;

    /// <summary>A scheduled trigger that fires this much before its due time still counts as due (clock jitter).</summary>
    public TimeSpan ScheduleTolerance { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class RotationEngineOptionsValidator : IValidateOptions<RotationEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationEngineOptions options)
    {
        var failures = new List<string>();
        if (options.ClientSecretLength is < ClientSecretGenerator.MinLength or > ClientSecretGenerator.MaxLength)
        {
            failures.Add($"RotationEngine:ClientSecretLength must be between {ClientSecretGenerator.MinLength} and {ClientSecretGenerator.MaxLength} (was {options.ClientSecretLength}).");
        }

        if (options.RsaKeySize is < 2048 or > 4096 || options.RsaKeySize % 8 != 0)
        {
            failures.Add($"RotationEngine:RsaKeySize must be 2048-4096 and a multiple of 8 (was {options.RsaKeySize}).");
        }

        Between(failures, nameof(options.VerifyTimeout), options.VerifyTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Between(failures, nameof(options.VerifyInitialDelay), options.VerifyInitialDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Between(failures, nameof(options.VerifyMaxDelay), options.VerifyMaxDelay, options.VerifyInitialDelay, TimeSpan.FromMinutes(5));
        if (options.TransientRetryAttempts is < 0 or > 10)
        {
            failures.Add($"RotationEngine:TransientRetryAttempts must be between 0 and 10 (was {options.TransientRetryAttempts}).");
        }

        Between(failures, nameof(options.TransientRetryBaseDelay), options.TransientRetryBaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Between(failures, nameof(options.TransientRetryMaxDelay), options.TransientRetryMaxDelay, options.TransientRetryBaseDelay, TimeSpan.FromMinutes(10));
        Between(failures, nameof(options.RunTimeout), options.RunTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        if (options.RunTimeout <= options.VerifyTimeout)
        {
            failures.Add($"RotationEngine:RunTimeout ({options.RunTimeout}) must be longer than RotationEngine:VerifyTimeout ({options.VerifyTimeout}), or Verify can never finish.");
        }

        Between(failures, nameof(options.RollbackTimeout), options.RollbackTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30));
        Between(failures, nameof(options.LeaseDuration), options.LeaseDuration, TimeSpan.FromMilliseconds(300), TimeSpan.FromHours(1));
        if (options.MaxConcurrentRuns is < 1 or > 256)
        {
            failures.Add($"RotationEngine:MaxConcurrentRuns must be between 1 and 256 (was {options.MaxConcurrentRuns}).");
        }

        if (options.PauseAfterConsecutiveFailures is < 0 or > 100)
        {
            failures.Add($"RotationEngine:PauseAfterConsecutiveFailures must be between 0 (never pause) and 100 (was {options.PauseAfterConsecutiveFailures}).");
        }

        Between(failures, nameof(options.ScheduleTolerance), options.ScheduleTolerance, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        if (!Enum.IsDefined(options.FailedRetryPolicy))
        {
            failures.Add("RotationEngine:FailedRetryPolicy must be NextOccurrenceOfRotateAt or NextUtcDay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Between(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"RotationEngine:{name} must be between {min} and {max} (was {value}).");
        }
    }
}
