using System.Globalization;
using System.Net.Http.Headers;

namespace RotationDashboard.Client.Internal;

internal static class RetryDelays
{
    /// <summary>Exponential back-off: base × 2^retry, ±20 % jitter, capped.</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, int retry, TimeSpan max)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, retry);
        var jittered = exponential * (0.8 + Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(jittered, max.TotalMilliseconds));
    }

    /// <summary>The wait a 429 asks for: <c>Retry-After</c> (seconds or date), else <c>x-ratelimit-reset</c> (epoch seconds).</summary>
    public static TimeSpan? RequestedDelay(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
                return Clamp(delta);
            if (retryAfter.Date is { } date)
                return Clamp(date - now);
        }

        if (headers.TryGetValues("x-ratelimit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epochSeconds))
            return Clamp(DateTimeOffset.FromUnixTimeSeconds(epochSeconds) - now);
        return null;
    }

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
}
