using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Security;

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class FixedWindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public bool IsValid => PermitLimit is >= 1 and <= 100_000 && Window >= TimeSpan.FromSeconds(1) && Window <= TimeSpan.FromHours(1);
}

/// <summary>Per-client-address request limits (section "RateLimits"). Over a limit the answer is 429 with Retry-After.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Starts of the sign-in flow (<c>/account/signin</c>) per client address.</summary>
    public FixedWindowLimit SignIn { get; set; } = new() { PermitLimit = 30 };

    /// <summary>API requests with an unknown, revoked or expired bearer token per client address; past it, every bearer request from that address waits.</summary>
    public FixedWindowLimit FailedApiAuthentication { get; set; } = new() { PermitLimit = 20 };
}

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed (section "ForwardedHeaders"),
/// so client addresses, https and the sign-in callback URL are right behind TLS termination. Empty: headers are ignored.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy IP addresses, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool IsConfigured => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>
/// Transport and request hardening: rate limits, forwarded headers from configured proxies only, HSTS and HTTPS
/// redirection outside Development, security headers (CSP with frame-ancestors 'none'), AllowedHosts required outside
/// Development, and the bootstrap token's strength.
/// </summary>
public static class HttpHardening
{
    /// <summary>
    /// Blazor Server needs its own scripts and a websocket to this origin; MudBlazor sets inline styles. No inline script,
    /// no eval, no framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddHttpHardening(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddSingleton<IValidateOptions<ApiTokenAuthenticationOptions>, ApiTokenAuthenticationOptionsValidator>();
        services.AddOptions<ApiTokenAuthenticationOptions>(ApiTokenAuthenticationHandler.SchemeName).ValidateOnStart();

        services.AddOptions<HostFilteringOptions>()
            .Validate<IHostEnvironment>((hosts, environment) => environment.IsDevelopment() ||
                    (hosts.AllowedHosts.Count > 0 && !hosts.AllowedHosts.Any(h => h is "*" or "")),
                "AllowedHosts must list the dashboard's host names outside Development (e.g. AllowedHosts=dashboard.example.com, " +
                "several separated by ';'): with '*' any Host header is accepted and ends up in absolute URLs such as the sign-in callback.")
            .ValidateOnStart();

        services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName))
            .Validate(limits => limits.SignIn.IsValid && limits.FailedApiAuthentication.IsValid,
                "RateLimits:SignIn and RateLimits:FailedApiAuthentication need a PermitLimit between 1 and 100000 and a Window between " +
                "00:00:01 and 01:00:00.")
            .ValidateOnStart();
        services.AddSingleton<FailedApiAuthenticationLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancellationToken) => new ValueTask(
                WriteTooManyRequestsAsync(context.HttpContext, context.Lease, "Too many sign-in attempts from this address."));
            // Only the sign-in endpoint is limited by address here (failed API authentication is counted by the token handler).
            var signIn = limits.Value.SignIn;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.Equals(AuthenticationSetup.SignInPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientAddress(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = signIn.PermitLimit,
                        Window = signIn.Window,
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
        });

        services.AddOptions<ForwardedHeadersSettings>()
            .Bind(builder.Configuration.GetSection(ForwardedHeadersSettings.SectionName))
            .Validate(settings => settings.KnownProxies.All(p => IPAddress.TryParse(p, out _)) &&
                                  settings.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)),
                "ForwardedHeaders:KnownProxies must be IP addresses (e.g. 10.0.0.5) and ForwardedHeaders:KnownNetworks CIDR networks (e.g. 10.0.0.0/24).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((forwarded, settings) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The framework trusts loopback by default; only the configured proxies are trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Value.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in settings.Value.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });

        services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    /// <summary>The start of the pipeline: forwarded headers, then (outside Development) HSTS and HTTPS redirection, then headers.</summary>
    public static WebApplication UseTransportHardening(this WebApplication app)
    {
        // With no proxy configured the middleware would believe every sender's X-Forwarded-* headers: leave it out.
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.IsConfigured)
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            // Health probes from the orchestrator come over plain http on the internal port.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"), branch => branch.UseHttpsRedirection());
        }

        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }

    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    internal static async Task WriteTooManyRequestsAsync(HttpContext context, RateLimitLease lease, string title)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title,
            detail: "Wait for the time in the Retry-After header, then try again.").ExecuteAsync(context);
    }
}

/// <summary>
/// Counts failed API authentications per client address. Past the limit, bearer requests from that address are
/// answered 429 until the window ends, without checking the token (so guessing costs the database nothing).
/// </summary>
public sealed partial class FailedApiAuthenticationLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly ILogger<FailedApiAuthenticationLimiter> _logger;

    public FailedApiAuthenticationLimiter(IOptions<RateLimitOptions> options, ILogger<FailedApiAuthenticationLimiter> logger)
        : this(CreateLimiter(options.Value.FailedApiAuthentication), logger)
    {
    }

    internal FailedApiAuthenticationLimiter(PartitionedRateLimiter<string> failures, ILogger<FailedApiAuthenticationLimiter> logger)
    {
        _failures = failures;
        _logger = logger;
    }

    /// <summary>A failed lease (with Retry-After) when the address used up its failures; null when it may try.</summary>
    public RateLimitLease? Blocked(string clientAddress)
    {
        var probe = Acquire(clientAddress, permitCount: 0);
        if (probe.IsAcquired)
        {
            probe.Dispose();
            return null;
        }
        LogBlocked(_logger, clientAddress);
        return probe;
    }

    public void RecordFailure(string clientAddress) => Acquire(clientAddress, permitCount: 1).Dispose();

    /// <summary>
    /// The partitioned limiter disposes an address's limiter once it has been idle (all permits free) for a while, on a
    /// timer: a call that picked that limiter up a moment before gets ObjectDisposedException. The partition is gone by
    /// then, so asking again gets a fresh limiter (which is what an idle address would have had anyway).
    /// </summary>
    private RateLimitLease Acquire(string clientAddress, int permitCount)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return _failures.AttemptAcquire(clientAddress, permitCount);
            }
            catch (ObjectDisposedException) when (attempt < 3)
            {
            }
        }
    }

    private static PartitionedRateLimiter<string> CreateLimiter(FixedWindowLimit limit) =>
        PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0 }));

    public void Dispose() => _failures.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request from {ClientAddress} refused: too many failed API authentications")]
    private static partial void LogBlocked(ILogger logger, string clientAddress);
}
