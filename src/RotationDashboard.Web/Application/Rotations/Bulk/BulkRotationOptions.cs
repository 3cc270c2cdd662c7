using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>
/// Bulk rotation and onboarding (section <c>BulkRotation</c>). The pace itself is the tenant's Management API budget,
/// kept by the Auth0 client (<c>Auth0Client:ManagementRequestsPerSecondPerTenant</c>, or per tenant under
/// <c>Auth0Client:Tenants</c> with a plan: Free 2/s, Enterprise 16/s); these settings decide how many runs are in
/// flight to keep that budget busy.
/// </summary>
public sealed class BulkRotationOptions
{
    public const string SectionName = "BulkRotation";

    /// <summary>
    /// Runs in flight per budgeted request/s: a run spends most of its time verifying the new credential
    /// (Authentication API, propagation delay) and in the database, not on the Management API, so a budget of 2/s
    /// needs several runs at once to be used fully.
    /// </summary>
    public double RunsInFlightPerRequestPerSecond { get; set; } = 4;

    /// <summary>The most runs one bulk operation has in flight, whatever the budget.</summary>
    public int MaxRunsInFlight { get; set; } = 64;

    /// <summary>The most rotations one request may cover (a typo in a filter should not rotate 50,000 credentials).</summary>
    public int MaxItems { get; set; } = 5_000;

    /// <summary>How many runs in flight a budget of <paramref name="requestsPerSecond"/> gets.</summary>
    public int RunsInFlightFor(double requestsPerSecond) =>
        (int)Math.Clamp(Math.Ceiling(requestsPerSecond * RunsInFlightPerRequestPerSecond), 1, MaxRunsInFlight);
}

internal sealed class BulkRotationOptionsValidator : IValidateOptions<BulkRotationOptions>
{
    public ValidateOptionsResult Validate(string? name, BulkRotationOptions options)
    {
        var failures = new List<string>();
        if (double.IsNaN(options.RunsInFlightPerRequestPerSecond) || options.RunsInFlightPerRequestPerSecond is <= 0 or > 100)
            failures.Add($"BulkRotation:RunsInFlightPerRequestPerSecond must be greater than 0 and at most 100 (was {options.RunsInFlightPerRequestPerSecond}).");
        if (options.MaxRunsInFlight is < 1 or > 256)
            failures.Add($"BulkRotation:MaxRunsInFlight must be between 1 and 256 (was {options.MaxRunsInFlight}).");
        if (options.MaxItems is < 1 or > 100_000)
            failures.Add($"BulkRotation:MaxItems must be between 1 and 100000 (was {options.MaxItems}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
