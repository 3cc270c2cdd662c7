namespace RotationDashboard.Auth0.Http;

/// <summary>
/// Concurrency cap plus token bucket for one tenant API, shared by every connection and client that calls it.
/// Requests reserve bucket slots in arrival order, so a backlog drains at the configured rate instead of
/// bursting; a 429 (or an exhausted bucket reported by Auth0) pauses everyone until the tenant's reset.
/// </summary>
internal sealed class TenantRequestLimiter
{
    private readonly SemaphoreSlim _concurrency;
    private readonly TimeProvider _timeProvider;
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly object _gate = new();
    private double _tokens;
    private long _lastRefill;
    private long _pausedUntil;

    public TenantRequestLimiter(string name, int maxConcurrency, double ratePerSecond, int burst, TimeProvider timeProvider)
    {
        Name = name;
        _concurrency = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _timeProvider = timeProvider;
        _lastRefill = timeProvider.GetTimestamp();
        _pausedUntil = _lastRefill;
    }

    /// <summary>Which API this limiter meters, for logs.</summary>
    public string Name { get; }

    /// <summary>The Management API budget this limiter was made for (null for the Authentication API).</summary>
    public Auth0ManagementBudget? Budget { get; init; }

    /// <summary>Waits for a concurrency slot and a rate token; dispose the lease when the response is read.</summary>
    public async ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        var reserved = false;
        try
        {
            var wait = ReserveToken();
            reserved = true;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);

            // The pause may be extended while we wait, so look again after each wait.
            while (RemainingPause() is var pause && pause > TimeSpan.Zero)
                await Task.Delay(pause, _timeProvider, cancellationToken).ConfigureAwait(false);

            return new Lease(this);
        }
        catch
        {
            if (reserved)
                RefundToken();
            _concurrency.Release();
            throw;
        }
    }

    /// <summary>Holds every request to this tenant back for <paramref name="duration"/> (never shortens a pause).</summary>
    public void PauseFor(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
            return;
        var until = _timeProvider.GetTimestamp() + (long)(duration.TotalSeconds * _timeProvider.TimestampFrequency);
        lock (_gate)
        {
            if (until > _pausedUntil)
                _pausedUntil = until;
        }
    }

    private TimeSpan ReserveToken()
    {
        lock (_gate)
        {
            var now = _timeProvider.GetTimestamp();
            var elapsed = (now - _lastRefill) / (double)_timeProvider.TimestampFrequency;
            _lastRefill = now;
            _tokens = Math.Min(_burst, _tokens + elapsed * _ratePerSecond);
            _tokens -= 1;
            // A negative balance is the queue of reservations ahead of us.
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _ratePerSecond);
        }
    }

    private void RefundToken()
    {
        lock (_gate)
            _tokens = Math.Min(_burst, _tokens + 1);
    }

    private TimeSpan RemainingPause()
    {
        lock (_gate)
        {
            var remaining = _pausedUntil - _timeProvider.GetTimestamp();
            return remaining > 0 ? TimeSpan.FromSeconds(remaining / (double)_timeProvider.TimestampFrequency) : TimeSpan.Zero;
        }
    }

    internal readonly struct Lease(TenantRequestLimiter owner) : IDisposable
    {
        public void Dispose() => owner._concurrency.Release();
    }
}

/// <summary>Which Auth0 API a limiter meters; each has its own bucket on a real tenant.</summary>
internal enum Auth0ApiKind
{
    Management,
    Authentication,
}

/// <summary>
/// One limiter per tenant base URI and API, for the lifetime of the application. A tenant's Management API budget is
/// looked up on every call (<see cref="Auth0ClientOptions.ManagementBudgetFor"/>): when a reloaded configuration
/// changed it, the tenant gets a fresh limiter at the new rate (clients made before keep the old one until they end).
/// </summary>
internal sealed class TenantLimiterRegistry(Func<Auth0ClientOptions> options, TimeProvider timeProvider)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, Auth0ApiKind Api), TenantRequestLimiter> _limiters = new();

    public TenantLimiterRegistry(Auth0ClientOptions options, TimeProvider timeProvider)
        : this(() => options, timeProvider)
    {
    }

    public TenantRequestLimiter For(Auth0TenantAddress tenant, Auth0ApiKind api)
    {
        var current = options();
        var key = (tenant.BaseUri.AbsoluteUri, api);
        if (api != Auth0ApiKind.Management)
        {
            return _limiters.GetOrAdd(key, static (_, state) => new TenantRequestLimiter(
                "Authentication API",
                state.current.MaxConcurrentRequestsPerTenant,
                state.current.TokenRequestsPerSecondPerTenant,
                state.current.TokenBurstPerTenant,
                state.timeProvider), (current, timeProvider));
        }

        var budget = current.ManagementBudgetFor(tenant);
        return _limiters.AddOrUpdate(
            key,
            static (_, state) => Create(state.current, state.budget, state.timeProvider),
            static (_, existing, state) => existing.Budget == state.budget ? existing : Create(state.current, state.budget, state.timeProvider),
            (current, budget, timeProvider));
    }

    // One request of the tenant's burst is held back: a request sent on time can reach the tenant late and the next one
    // early, and with the tenant's bucket as small as the Free plan's (2) that squeeze alone gave 429s under load. The
    // sustained rate, which decides how long a bulk rotation takes, stays the tenant's.
    private static TenantRequestLimiter Create(Auth0ClientOptions options, Auth0ManagementBudget budget, TimeProvider timeProvider) =>
        new("Management API", options.MaxConcurrentRequestsPerTenant, budget.RequestsPerSecond, Math.Max(1, budget.Burst - 1), timeProvider) { Budget = budget };
}
