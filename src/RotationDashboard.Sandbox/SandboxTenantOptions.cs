using Microsoft.Extensions.Options;

namespace RotationDashboard.Sandbox;

/// <summary>Rate-limit presets taken from Auth0's published Management API limits.</summary>
public enum SandboxPlan
{
    /// <summary>Free plan: 2 requests per second, burst 2.</summary>
    Free,

    /// <summary>Enterprise production tenant: 16 requests per second, burst 50.</summary>
    Enterprise,

    /// <summary>No limit at all, for fast tests and benchmarks that measure something else.</summary>
    Unlimited,
}

/// <summary>A token bucket for the Management API: <see cref="Burst"/> tokens, refilled at <see cref="RequestsPerSecond"/>.</summary>
public readonly record struct SandboxRateLimit(double RequestsPerSecond, int Burst)
{
    public static SandboxRateLimit Unlimited => new(0, 0);

    /// <summary>A rate of zero switches the limit off.</summary>
    public bool IsUnlimited => RequestsPerSecond <= 0;

    public static SandboxRateLimit For(SandboxPlan plan) => plan switch
    {
        SandboxPlan.Free => new(2, 2),
        SandboxPlan.Enterprise => new(16, 50),
        SandboxPlan.Unlimited => Unlimited,
        _ => throw new ArgumentOutOfRangeException(nameof(plan), plan, "Unknown plan."),
    };
}

/// <summary>Configuration of the sandbox Auth0 tenant (section <c>SandboxTenant</c>).</summary>
public sealed class SandboxTenantOptions
{
    public const string SectionName = "SandboxTenant";

    /// <summary>
    /// Sustained Management API rate. 0 means unlimited. Defaults to the Enterprise plan (16/s, burst 50).
    /// Ignored when <see cref="Plan"/> is set.
    /// </summary>
    public double ManagementRequestsPerSecond { get; set; } = 16;

    /// <summary>Management API bucket size. Ignored when <see cref="Plan"/> is set.</summary>
    public int ManagementBurst { get; set; } = 50;

    /// <summary>When set, the plan's preset wins over the two numbers above (handy in appsettings).</summary>
    public SandboxPlan? Plan { get; set; }

    /// <summary>
    /// How long the previous client secret keeps working after PATCH or rotate-secret changed it
    /// (Auth0 documents up to 30 s). Zero: the old secret dies at once.
    /// </summary>
    public TimeSpan PropagationWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When set, the whole tenant is saved here as JSON after each change and reloaded at start.</summary>
    public string? StateFilePath { get; set; }

    /// <summary>Secret of the seeded Management API client <see cref="SandboxSeed.DashboardClientId"/>.</summary>
    public string DashboardClientSecret { get; set; } = SandboxSeed.DefaultDashboardClientSecret;

    /// <summary>Secret of the seeded admin sign-in client <see cref="SandboxSeed.LoginClientId"/>.</summary>
    public string LoginClientSecret { get; set; } = SandboxSeed.DefaultLoginClientSecret;

    /// <summary>
    /// Allowed callback URLs of the login app. Empty (the default): any http(s) URL on a loopback host
    /// (localhost, 127.0.0.1, [::1]) on any port is accepted, so the dashboard works on whatever port it runs.
    /// </summary>
    public IList<string> AllowedCallbackUrls { get; set; } = new List<string>();

    /// <summary>Allowed logout return URLs of the login app; empty means any loopback URL, as above.</summary>
    public IList<string> AllowedLogoutUrls { get; set; } = new List<string>();

    /// <summary>
    /// When set, the admin endpoints under <c>/__sandbox/</c> answer only requests that send it in the
    /// <see cref="AdminSecretHeader"/> header, from any address. When not set, only direct loopback callers reach them.
    /// </summary>
    public string? AdminSecret { get; set; }

    /// <summary>The header that carries <see cref="AdminSecret"/>.</summary>
    public const string AdminSecretHeader = "X-Sandbox-Admin-Secret";

    /// <summary>The shortest <see cref="AdminSecret"/> accepted.</summary>
    public const int MinimumAdminSecretLength = 32;

    /// <summary>Lifetime of issued access tokens; Auth0's default is 24 h.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(86400);

    /// <summary>Sets the rate limit to a plan's preset.</summary>
    public SandboxTenantOptions UsePlan(SandboxPlan plan)
    {
        var limit = SandboxRateLimit.For(plan);
        Plan = null;
        ManagementRequestsPerSecond = limit.RequestsPerSecond;
        ManagementBurst = limit.Burst;
        return this;
    }

    /// <summary>The effective Management API limit.</summary>
    public SandboxRateLimit GetRateLimit() =>
        Plan is { } plan ? SandboxRateLimit.For(plan) : new(ManagementRequestsPerSecond, ManagementBurst);

    internal void CopyTo(SandboxTenantOptions target)
    {
        target.ManagementRequestsPerSecond = ManagementRequestsPerSecond;
        target.ManagementBurst = ManagementBurst;
        target.Plan = Plan;
        target.PropagationWindow = PropagationWindow;
        target.StateFilePath = StateFilePath;
        target.DashboardClientSecret = DashboardClientSecret;
        target.LoginClientSecret = LoginClientSecret;
        target.AllowedCallbackUrls = new List<string>(AllowedCallbackUrls);
        target.AllowedLogoutUrls = new List<string>(AllowedLogoutUrls);
        target.AccessTokenLifetime = AccessTokenLifetime;
        target.AdminSecret = AdminSecret;
    }
}

/// <summary>Rejects settings the tenant cannot honour, at start-up rather than at the first request.</summary>
public sealed class SandboxTenantOptionsValidator : IValidateOptions<SandboxTenantOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxTenantOptions options)
    {
        var failures = new List<string>();
        var limit = options.GetRateLimit();
        if (double.IsNaN(limit.RequestsPerSecond) || double.IsInfinity(limit.RequestsPerSecond) || limit.RequestsPerSecond < 0)
            failures.Add("ManagementRequestsPerSecond must be a finite number >= 0 (0 = unlimited).");
        if (!limit.IsUnlimited && limit.Burst < 1)
            failures.Add("ManagementBurst must be at least 1 when a rate limit is set.");
        if (options.PropagationWindow < TimeSpan.Zero || options.PropagationWindow > TimeSpan.FromMinutes(10))
            failures.Add("PropagationWindow must be between 0 and 10 minutes.");
        if (options.AccessTokenLifetime < TimeSpan.FromSeconds(60) || options.AccessTokenLifetime > TimeSpan.FromDays(30))
            failures.Add("AccessTokenLifetime must be between 60 seconds and 30 days.");
        if (string.IsNullOrWhiteSpace(options.DashboardClientSecret) || options.DashboardClientSecret.Length < 16)
            failures.Add("DashboardClientSecret must be at least 16 characters.");
        if (string.IsNullOrWhiteSpace(options.LoginClientSecret) || options.LoginClientSecret.Length < 16)
            failures.Add("LoginClientSecret must be at least 16 characters.");
        if (options.AdminSecret is { } secret && secret.Length < SandboxTenantOptions.MinimumAdminSecretLength)
            failures.Add($"AdminSecret must be at least {SandboxTenantOptions.MinimumAdminSecretLength} characters.");
        if (options.StateFilePath is { } path && string.IsNullOrWhiteSpace(path))
            failures.Add("StateFilePath must be null or a file path.");
        foreach (var url in options.AllowedCallbackUrls.Concat(options.AllowedLogoutUrls))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                failures.Add($"'{url}' is not an absolute http(s) URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
