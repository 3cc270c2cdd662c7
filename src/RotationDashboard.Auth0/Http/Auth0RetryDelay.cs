namespace RotationDashboard.Auth0.Http;

/// <summary>
/// How long to wait before retrying, in Auth0's SDK order: Retry-After, else x-ratelimit-reset plus 0–20 %
/// jitter (spreads clients that share a bucket), else 2^attempt × base with ±10 % jitter; always capped.
/// </summary>
internal static class Auth0RetryDelay
{
    public static TimeSpan Compute(
        Auth0RateLimit? rateLimit,
        int attemptNumber,
        DateTimeOffset now,
        TimeSpan baseDelay,
        TimeSpan maxDelay,
        double random)
    {
        if (rateLimit?.RetryAfter is { } retryAfter)
            return Cap(retryAfter, maxDelay);

        if (rateLimit?.Reset is { } reset && reset > now)
            return Cap((reset - now) * (1 + 0.2 * random), maxDelay);

        var exponential = baseDelay * Math.Pow(2, Math.Min(attemptNumber, 30)) * (0.9 + 0.2 * random);
        return Cap(exponential, maxDelay);
    }

    /// <summary>How long the whole tenant should hold back after this response, if at all.</summary>
    public static TimeSpan TenantPause(System.Net.HttpStatusCode status, Auth0RateLimit? rateLimit, DateTimeOffset now, TimeSpan maxDelay)
    {
        if (rateLimit is null)
            return TimeSpan.Zero;

        var untilReset = rateLimit.Reset is { } reset && reset > now ? reset - now : TimeSpan.Zero;
        if (status == System.Net.HttpStatusCode.TooManyRequests)
            return Cap(rateLimit.RetryAfter ?? untilReset, maxDelay);

        // An empty bucket on a success is no reason to stop: the tenant adds tokens at its rate, and the limiter keeps to
        // that rate (it drains its own bucket instead). Waiting for x-ratelimit-reset, whole seconds away, left a
        // small plan's budget unused for up to a second at a time.
        return TimeSpan.Zero;
    }

    private static TimeSpan Cap(TimeSpan value, TimeSpan max) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
}
