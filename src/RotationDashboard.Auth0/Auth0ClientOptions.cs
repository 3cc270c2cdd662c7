using Microsoft.Extensions.Options;

namespace RotationDashboard.Auth0;

/// <summary>
/// Retry budget, timeouts and per-tenant limits for every Auth0 call. Defaults suit the smallest plan
/// (Management API: 2 requests/s, burst 2); raise the rates for paid tenants.
/// </summary>
public sealed class Auth0ClientOptions
{
    public const string SectionName = "Auth0Client";

    /// <summary>Retries after the first attempt for 408, 429, 5xx, network errors and timeouts (0 disables).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>Base of the exponential backoff (2^attempt × base, ±10 % jitter) when Auth0 gives no hint.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any single retry delay, including one asked for by Retry-After.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt (time spent waiting for the tenant limiter is not counted).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A cached Management API token is renewed this long before it expires (at most half its lifetime).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Concurrent Management API requests per tenant, shared by every connection to that tenant.</summary>
    public int MaxConcurrentRequestsPerTenant { get; set; } = 4;

    /// <summary>Sustained Management API request rate per tenant.</summary>
    public double ManagementRequestsPerSecondPerTenant { get; set; } = 2;

    /// <summary>Management API requests per tenant that may start at once before the rate applies.</summary>
    public int ManagementBurstPerTenant { get; set; } = 2;

    /// <summary>Sustained rate of <c>/oauth/token</c> requests per tenant (Authentication API, separate bucket).</summary>
    public double TokenRequestsPerSecondPerTenant { get; set; } = 10;

    public int TokenBurstPerTenant { get; set; } = 10;

    /// <summary>
    /// Refuse, at connect time, any Auth0 address that resolves to a loopback, private, link-local or otherwise
    /// non-public IP (SSRF; checked on the address actually connected to, so DNS rebinding cannot bypass it).
    /// Off by default: the host decides, e.g. on in Production.
    /// </summary>
    public bool BlockNonPublicAddresses { get; set; }

    /// <summary>Hosts exempt from <see cref="BlockNonPublicAddresses"/> (the sandbox, an explicitly configured private tenant).</summary>
    public IList<string> AllowedNonPublicHosts { get; set; } = [];

    /// <summary>
    /// Management API budgets of particular tenants (a paid plan next to Free ones); a tenant not listed gets
    /// <see cref="ManagementRequestsPerSecondPerTenant"/> and <see cref="ManagementBurstPerTenant"/>. Read on every new
    /// client, so a reloaded configuration applies without a restart.
    /// </summary>
    public IList<Auth0TenantBudgetOptions> Tenants { get; set; } = [];

    /// <summary>The Management API budget the client keeps to for <paramref name="tenant"/>.</summary>
    public Auth0ManagementBudget ManagementBudgetFor(Auth0TenantAddress tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        foreach (var entry in Tenants)
        {
            if (Auth0TenantAddress.TryParse(entry.Domain, out var address, out _) && address.Equals(tenant))
                return entry.Budget(this);
        }

        return new Auth0ManagementBudget(ManagementRequestsPerSecondPerTenant, ManagementBurstPerTenant);
    }
}

/// <summary>An Auth0 subscription plan's Management API rate limit (Auth0's published figures for production tenants).</summary>
public enum Auth0Plan
{
    /// <summary>2 requests/s, burst 2.</summary>
    Free,

    /// <summary>16 requests/s, burst 50.</summary>
    Enterprise,
}

/// <summary>A sustained Management API rate and the bucket size (requests that may start at once).</summary>
public sealed record Auth0ManagementBudget(double RequestsPerSecond, int Burst)
{
    public static Auth0ManagementBudget For(Auth0Plan plan) => plan switch
    {
        Auth0Plan.Free => new(2, 2),
        Auth0Plan.Enterprise => new(16, 50),
        _ => throw new ArgumentOutOfRangeException(nameof(plan), plan, "Unknown plan."),
    };
}

/// <summary>One tenant's Management API budget: its plan, or explicit numbers (which win over the plan's).</summary>
public sealed class Auth0TenantBudgetOptions
{
    /// <summary>The tenant as a connection names it: <c>acme.eu.auth0.com</c> or a base URL.</summary>
    public string Domain { get; set; } = string.Empty;

    public Auth0Plan? Plan { get; set; }

    public double? ManagementRequestsPerSecond { get; set; }

    public int? ManagementBurst { get; set; }

    internal Auth0ManagementBudget Budget(Auth0ClientOptions defaults)
    {
        var plan = Plan is { } p ? Auth0ManagementBudget.For(p) : null;
        return new Auth0ManagementBudget(
            ManagementRequestsPerSecond ?? plan?.RequestsPerSecond ?? defaults.ManagementRequestsPerSecondPerTenant,
            ManagementBurst ?? plan?.Burst ?? defaults.ManagementBurstPerTenant);
    }
}

internal sealed class Auth0ClientOptionsValidator : IValidateOptions<Auth0ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, Auth0ClientOptions options)
    {
        var failures = new List<string>();

        if (options.MaxRetryAttempts is < 0 or > 10)
            failures.Add($"Auth0 client option {nameof(options.MaxRetryAttempts)} must be between 0 and 10 (was {options.MaxRetryAttempts}).");
        RequireBetween(failures, nameof(options.BaseDelay), options.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        RequireBetween(failures, nameof(options.MaxRetryDelay), options.MaxRetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        if (options.BaseDelay > options.MaxRetryDelay)
            failures.Add($"Auth0 client option {nameof(options.BaseDelay)} must not exceed {nameof(options.MaxRetryDelay)}.");
        RequireBetween(failures, nameof(options.RequestTimeout), options.RequestTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        RequireBetween(failures, nameof(options.TokenRefreshMargin), options.TokenRefreshMargin, TimeSpan.Zero, TimeSpan.FromHours(1));
        if (options.MaxConcurrentRequestsPerTenant is < 1 or > 256)
            failures.Add($"Auth0 client option {nameof(options.MaxConcurrentRequestsPerTenant)} must be between 1 and 256 (was {options.MaxConcurrentRequestsPerTenant}).");
        RequireRate(failures, nameof(options.ManagementRequestsPerSecondPerTenant), options.ManagementRequestsPerSecondPerTenant);
        RequireRate(failures, nameof(options.TokenRequestsPerSecondPerTenant), options.TokenRequestsPerSecondPerTenant);
        if (options.ManagementBurstPerTenant is < 1 or > 10_000)
            failures.Add($"Auth0 client option {nameof(options.ManagementBurstPerTenant)} must be between 1 and 10000 (was {options.ManagementBurstPerTenant}).");
        if (options.TokenBurstPerTenant is < 1 or > 10_000)
            failures.Add($"Auth0 client option {nameof(options.TokenBurstPerTenant)} must be between 1 and 10000 (was {options.TokenBurstPerTenant}).");
        ValidateTenants(failures, options);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTenants(List<string> failures, Auth0ClientOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var name = $"{nameof(options.Tenants)}[{i}]";
            if (!Auth0TenantAddress.TryParse(tenant.Domain, out var address, out var error))
                failures.Add($"Auth0 client option {name}.{nameof(tenant.Domain)} is not a tenant address: {error}");
            else if (!seen.Add(address.BaseUri.AbsoluteUri))
                failures.Add($"Auth0 client option {name} names the tenant {address.BaseUri.Host} a second time.");
            if (tenant.Plan is null && tenant.ManagementRequestsPerSecond is null)
                failures.Add($"Auth0 client option {name} needs a {nameof(tenant.Plan)} (Free, Enterprise) or a {nameof(tenant.ManagementRequestsPerSecond)}.");
            if (tenant.Plan is { } plan && !Enum.IsDefined(plan))
                failures.Add($"Auth0 client option {name}.{nameof(tenant.Plan)} must be Free or Enterprise.");
            if (tenant.ManagementRequestsPerSecond is { } rate)
                RequireRate(failures, $"{name}.{nameof(tenant.ManagementRequestsPerSecond)}", rate);
            if (tenant.ManagementBurst is < 1 or > 10_000)
                failures.Add($"Auth0 client option {name}.{nameof(tenant.ManagementBurst)} must be between 1 and 10000 (was {tenant.ManagementBurst}).");
        }
    }

    private static void RequireBetween(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
            failures.Add($"Auth0 client option {name} must be between {min} and {max} (was {value}).");
    }

    private static void RequireRate(List<string> failures, string name, double value)
    {
        if (double.IsNaN(value) || value <= 0 || value > 10_000)
            failures.Add($"Auth0 client option {name} must be greater than 0 and at most 10000 (was {value}).");
    }
}
