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
    private long _pauseEpoch;

    public TenantRequestLimiter(string name, int maxConcurrency, double ratePerSecond, int burst, TimeProvider timeProvider)
    {
        Name = name;
        _concurrency = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _timeProvider = timeProvider;
        _lastRefill = timeProvider.GetTimestamp();
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
            while (true)
            {
                var (wait, epoch) = ReserveToken();
                reserved = true;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);

                // Paused while we waited: our slot was planned before the pause, so take a new one after it. Sending
                // every held-back request the moment a pause ends would be a burst, and the tenant's next 429.
                if (epoch == PauseEpoch)
                    return new Lease(this);
            }
        }
        catch
        {
            if (reserved)
                RefundToken();
            _concurrency.Release();
            throw;
        }
    }

    /// <summary>
    /// Holds every request to this tenant back for <paramref name="duration"/> (never shortens a pause); no tokens
    /// build up meanwhile, so the requests that waited go out at the rate afterwards, not at once.
    /// </summary>
    public void PauseFor(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
            return;
        var until = _timeProvider.GetTimestamp() + (long)(duration.TotalSeconds * _timeProvider.TimestampFrequency);
        lock (_gate)
        {
            Refill(_timeProvider.GetTimestamp());
            _tokens = Math.Min(_tokens, 0);
            if (until > _lastRefill)
            {
                _lastRefill = until;
                _pauseEpoch++;
            }
        }
    }

    /// <summary>
    /// The tenant said its bucket is empty (<c>x-ratelimit-remaining: 0</c> on a success): spend nothing we think we
    /// have left. Unlike a pause until <c>x-ratelimit-reset</c> (whole seconds), this keeps sending at the rate.
    /// </summary>
    public void Drain()
    {
        lock (_gate)
        {
            Refill(_timeProvider.GetTimestamp());
            _tokens = Math.Min(_tokens, 0);
        }
    }

    private long PauseEpoch
    {
        get
        {
            lock (_gate)
                return _pauseEpoch;
        }
    }

    private (TimeSpan Wait, long Epoch) ReserveToken()
    {
        lock (_gate)
        {
            var now = _timeProvider.GetTimestamp();
            Refill(now);
            _tokens -= 1;
            // A negative balance is the queue of reservations ahead of us; a refill time ahead is a pause.
            var seconds = Math.Max(0, (_lastRefill - now) / (double)_timeProvider.TimestampFrequency) + (_tokens >= 0 ? 0 : -_tokens / _ratePerSecond);
            return (TimeSpan.FromSeconds(seconds), _pauseEpoch);
        }
    }

    // Tokens accrue from the last refill on; during a pause that time lies ahead and nothing accrues.
    private void Refill(long now)
    {
        if (now <= _lastRefill)
            return;
        var elapsed = (now - _lastRefill) / (double)_timeProvider.TimestampFrequency;
        _lastRefill = now;
        _tokens = Math.Min(_burst, _tokens + elapsed * _ratePerSecond);
    }

    private void RefundToken()
    {
        lock (_gate)
            _tokens = Math.Min(_burst, _tokens + 1);
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
