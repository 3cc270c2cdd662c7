using System.Globalization;
using System.Net.Http.Headers;

namespace RotationDashboard.Auth0;

/// <summary>
/// The rate-limit headers of an Auth0 response: <c>x-ratelimit-limit/remaining/reset</c> (reset is Unix epoch
/// seconds), <c>Retry-After</c> (seconds or an HTTP date, turned into a delay) and the M2M token quota headers.
/// </summary>
public sealed record Auth0RateLimit(
    long? Limit,
    long? Remaining,
    DateTimeOffset? Reset,
    TimeSpan? RetryAfter,
    string? ClientQuotaLimit = null,
    string? OrganizationQuotaLimit = null)
{
    /// <summary>Reads the headers; null when the response carries none of them.</summary>
    public static Auth0RateLimit? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);

        var limit = ReadLong(headers, "x-ratelimit-limit");
        var remaining = ReadLong(headers, "x-ratelimit-remaining");
        var resetSeconds = ReadLong(headers, "x-ratelimit-reset");
        DateTimeOffset? reset = resetSeconds is { } s && s > 0 && s < 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(s)
            : null;

        TimeSpan? retryAfter = null;
        if (headers.RetryAfter is { } retry)
        {
            if (retry.Delta is { } delta)
                retryAfter = delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            else if (retry.Date is { } date)
                retryAfter = date > now ? date - now : TimeSpan.Zero;
        }

        var clientQuota = ReadString(headers, "Auth0-Client-Quota-Limit");
        var organizationQuota = ReadString(headers, "Auth0-Organization-Quota-Limit");

        return limit is null && remaining is null && reset is null && retryAfter is null &&
               clientQuota is null && organizationQuota is null
            ? null
            : new Auth0RateLimit(limit, remaining, reset, retryAfter, clientQuota, organizationQuota);
    }

    public override string ToString()
    {
        var parts = new List<string>(4);
        if (Limit is { } l) parts.Add($"limit {l}");
        if (Remaining is { } r) parts.Add($"remaining {r}");
        if (Reset is { } reset) parts.Add($"reset {reset:u}");
        if (RetryAfter is { } after) parts.Add($"retry-after {after.TotalSeconds:0.###} s");
        if (ClientQuotaLimit is not null) parts.Add($"client quota {ClientQuotaLimit}");
        if (OrganizationQuotaLimit is not null) parts.Add($"organization quota {OrganizationQuotaLimit}");
        return string.Join(", ", parts);
    }

    private static long? ReadLong(HttpResponseHeaders headers, string name) =>
        ReadString(headers, name) is { } value &&
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;

    private static string? ReadString(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;
}
