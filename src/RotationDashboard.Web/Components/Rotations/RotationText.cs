using System.Globalization;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Components.Rotations;

/// <summary>The words the rotation pages use for strategies, triggers, steps and durations, in one place.</summary>
public static class RotationText
{
    /// <summary>The wizard's order: the zero-downtime strategies first.</summary>
    public static IReadOnlyList<RotationStrategy> Strategies { get; } =
        [RotationStrategy.Staged, RotationStrategy.SinglePhase, RotationStrategy.PrivateKeyJwt];

    public static string Label(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => "Single-phase",
        RotationStrategy.Staged => "Staged",
        RotationStrategy.PrivateKeyJwt => "Private Key JWT",
        _ => strategy.ToString(),
    };

    /// <summary>One line on what the strategy means for the services that use the credential.</summary>
    public static string Downtime(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase =>
            "Auth0's client secret is replaced in one step. The old secret stops working at once: services fail until they read the new value.",
        RotationStrategy.Staged =>
            "The new secret is published as NEXT before Auth0 switches. No downtime for services that fall back from CURRENT to NEXT (the client library does).",
        RotationStrategy.PrivateKeyJwt =>
            "A new key pair is added next to the old one; both work during the overlap, then the old key is removed. No downtime.",
        _ => "",
    };

    public static bool IsZeroDowntime(RotationStrategy strategy) => strategy != RotationStrategy.SinglePhase;

    public static RotationType TypeOf(RotationStrategy strategy) =>
        strategy == RotationStrategy.PrivateKeyJwt ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret;

    /// <summary>What "Rotate now" will do, for the confirmation dialog.</summary>
    public static string RotateNowEffect(RotationStrategy strategy, TimeSpan leadTime, TimeSpan gracePeriod) => strategy switch
    {
        RotationStrategy.SinglePhase =>
            "A new client secret is set in Auth0 and written to the mapped secret. The current secret stops working at once: " +
            "services that use it fail until they read the new value.",
        RotationStrategy.Staged =>
            $"A new client secret is published as NEXT first; after the lead time ({Duration(leadTime)}) Auth0 switches to it, it is verified " +
            "and promoted to CURRENT. Services that fall back from CURRENT to NEXT keep working throughout.",
        RotationStrategy.PrivateKeyJwt =>
            "A new key pair is generated, its private key published as NEXT and its public key added in Auth0 next to the current one. " +
            $"Both keys are valid during the overlap; the old key is removed after the grace period ({Duration(gracePeriod)}).",
        _ => "",
    };

    public static string Label(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Create => "First issuance",
        RunTrigger.Schedule => "Schedule",
        RunTrigger.Manual => "Rotate now",
        RunTrigger.Api => "API",
        _ => trigger.ToString(),
    };

    public static string Label(RunStepName step) => step switch
    {
        RunStepName.Generate => "Generate",
        RunStepName.Publish => "Publish as NEXT",
        RunStepName.Apply => "Apply in Auth0",
        RunStepName.Verify => "Verify with Auth0",
        RunStepName.Promote => "Promote to CURRENT",
        RunStepName.Retire => "Retire the previous key",
        _ => step.ToString(),
    };

    public static string Label(RunStatus status) => status switch
    {
        RunStatus.Running => "Running",
        RunStatus.Succeeded => "Succeeded",
        RunStatus.Failed => "Failed",
        RunStatus.RolledBack => "Rolled back",
        _ => status.ToString(),
    };

    /// <summary>"1.2 s", "45 s", "3 min 5 s", "2 h 10 min", "1 day 3 h".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) duration = TimeSpan.Zero;
        return duration switch
        {
            { TotalSeconds: < 10 } => duration.TotalSeconds.ToString(duration.TotalSeconds < 1 && duration > TimeSpan.Zero ? "0.0# s" : "0.# s", CultureInfo.InvariantCulture),
            { TotalMinutes: < 1 } => $"{(int)duration.TotalSeconds} s",
            { TotalHours: < 1 } => duration.Seconds == 0 ? $"{(int)duration.TotalMinutes} min" : $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
            { TotalDays: < 1 } => duration.Minutes == 0 ? $"{(int)duration.TotalHours} h" : $"{(int)duration.TotalHours} h {duration.Minutes} min",
            _ => $"{Plural((int)duration.TotalDays, "day")}{(duration.Hours == 0 ? "" : $" {duration.Hours} h")}",
        };
    }

    /// <summary>"in 3 days", "in 5 hours", "in 12 minutes", "now": how far off a future instant is.</summary>
    public static string Until(DateTimeOffset when, DateTimeOffset now)
    {
        var left = when - now;
        return left switch
        {
            { TotalSeconds: < 30 } => "now",
            { TotalMinutes: < 60 } => "in " + Plural((int)Math.Max(1, Math.Round(left.TotalMinutes)), "minute"),
            { TotalHours: < 36 } => "in " + Plural((int)Math.Round(left.TotalHours), "hour"),
            _ => "in " + Plural((int)Math.Round(left.TotalDays), "day"),
        };
    }

    public static string Plural(int count, string unit) => $"{count} {unit}{(count == 1 ? "" : "s")}";
}
