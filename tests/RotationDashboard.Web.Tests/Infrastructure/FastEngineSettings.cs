namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>
/// Engine and Auth0 client timings for tests against the in-app sandbox: tiny verify windows and back-offs, no
/// client-side rate limit. One set, so every test host runs the engine the same way.
/// </summary>
public static class FastEngineSettings
{
    public static IReadOnlyDictionary<string, string?> Values { get; } = new Dictionary<string, string?>
    {
        ["RotationEngine:VerifyTimeout"] = "00:00:03",
        ["RotationEngine:VerifyInitialDelay"] = "00:00:00.050",
        ["RotationEngine:VerifyMaxDelay"] = "00:00:00.250",
        ["RotationEngine:TransientRetryAttempts"] = "5",
        ["RotationEngine:TransientRetryBaseDelay"] = "00:00:00.050",
        ["RotationEngine:TransientRetryMaxDelay"] = "00:00:00.200",
        ["RotationEngine:LeaseDuration"] = "00:00:05",
        ["Auth0Client:BaseDelay"] = "00:00:00.010",
        ["Auth0Client:MaxRetryDelay"] = "00:00:00.100",
        ["Auth0Client:MaxRetryAttempts"] = "2",
        ["Auth0Client:RequestTimeout"] = "00:00:05",
        ["Auth0Client:ManagementRequestsPerSecondPerTenant"] = "1000",
        ["Auth0Client:ManagementBurstPerTenant"] = "1000",
        ["Auth0Client:TokenRequestsPerSecondPerTenant"] = "1000",
        ["Auth0Client:TokenBurstPerTenant"] = "1000",
        ["Auth0Client:MaxConcurrentRequestsPerTenant"] = "16",
    };
}
