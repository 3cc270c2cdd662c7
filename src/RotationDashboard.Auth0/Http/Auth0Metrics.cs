using System.Diagnostics.Metrics;

namespace RotationDashboard.Auth0.Http;

/// <summary>Auth0 traffic instruments (meter <c>RotationDashboard.Auth0</c>; names in docs/observability.md).</summary>
internal static class Auth0Metrics
{
    public const string MeterName = "RotationDashboard.Auth0";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Every attempt's answer; tags <c>method</c>, <c>status_code</c>.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("rotation_dashboard.auth0.requests", "{request}", "Auth0 HTTP attempts");

    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("rotation_dashboard.auth0.rate_limited", "{response}", "Auth0 429 answers");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("rotation_dashboard.auth0.retries", "{retry}", "Auth0 requests retried");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("rotation_dashboard.auth0.request.duration", "s", "Auth0 HTTP attempt duration");

    public static void Record(string method, int status, TimeSpan elapsed)
    {
        var tags = new KeyValuePair<string, object?>[] { new("method", method), new("status_code", status) };
        Requests.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
        if (status == 429) RateLimited.Add(1);
    }
}
