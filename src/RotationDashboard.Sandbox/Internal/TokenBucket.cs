namespace RotationDashboard.Sandbox.Internal;

/// <summary>What the Management API tells the caller about its rate limit on every response.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, long Limit, long Remaining, long ResetEpochSeconds, int RetryAfterSeconds);

/// <summary>Auth0's algorithm: a bucket of <c>Burst</c> tokens refilled continuously at <c>RequestsPerSecond</c>.</summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private SandboxRateLimit _limit;
    private double _tokens;
    private DateTimeOffset _lastRefill;

    public TokenBucket(SandboxRateLimit limit, DateTimeOffset now) => Configure(limit, now);

    public SandboxRateLimit Limit
    {
        get { lock (_gate) return _limit; }
    }

    /// <summary>Starts over with a full bucket.</summary>
    public void Configure(SandboxRateLimit limit, DateTimeOffset now)
    {
        lock (_gate)
        {
            _limit = limit;
            _tokens = limit.Burst;
            _lastRefill = now;
        }
    }

    public RateLimitDecision TryTake(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_limit.IsUnlimited)
                return new RateLimitDecision(true, int.MaxValue, int.MaxValue, now.ToUnixTimeSeconds(), 0);

            // A clock moved backwards by a test must not mint tokens or take them away.
            var elapsed = Math.Max(0, (now - _lastRefill).TotalSeconds);
            _tokens = Math.Min(_limit.Burst, _tokens + elapsed * _limit.RequestsPerSecond);
            _lastRefill = now;

            var allowed = _tokens >= 1;
            if (allowed)
                _tokens -= 1;

            var secondsToNextToken = _tokens >= _limit.Burst ? 0 : (1 - (_tokens % 1)) / _limit.RequestsPerSecond;
            var reset = (long)Math.Ceiling((now.ToUnixTimeMilliseconds() / 1000.0) + secondsToNextToken);
            var retryAfter = allowed ? 0 : Math.Max(1, (int)Math.Ceiling((1 - _tokens) / _limit.RequestsPerSecond));
            return new RateLimitDecision(allowed, _limit.Burst, (long)Math.Floor(_tokens), reset, retryAfter);
        }
    }
}
