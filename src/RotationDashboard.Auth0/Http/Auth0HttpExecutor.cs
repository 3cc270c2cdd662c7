using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RotationDashboard.Auth0.Http;

/// <summary>
/// Sends Auth0 requests through the tenant's shared limiter with a per-attempt timeout, and retries 408, 429,
/// 5xx, network errors and timeouts (replayable requests only) with Auth0's delay rules, on <see cref="TimeProvider"/>.
/// </summary>
internal sealed class Auth0HttpExecutor
{
    public const string HttpClientName = "RotationDashboard.Auth0";

    private static readonly ResiliencePropertyKey<AttemptState> StateKey = new("RotationDashboard.Auth0.Attempt");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly Auth0ClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<Auth0HttpResponse> _retryPipeline;

    public Auth0HttpExecutor(
        IHttpClientFactory httpClientFactory,
        Auth0ClientOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _retryPipeline = BuildRetryPipeline();
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns Auth0's final answer, whatever its status. Throws
    /// <see cref="Auth0ApiException"/> only when no answer arrived (network error or timeout after the budget).
    /// </summary>
    public async Task<Auth0HttpResponse> SendAsync(
        Auth0HttpRequest request,
        TenantRequestLimiter limiter,
        Func<CancellationToken, ValueTask<string>>? bearerToken,
        CancellationToken cancellationToken,
        bool allowRetry = true)
    {
        var state = new AttemptState(this, request, limiter, bearerToken, _timeProvider.GetTimestamp());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            var pipeline = allowRetry && request.IsReplayable ? _retryPipeline : ResiliencePipeline<Auth0HttpResponse>.Empty;
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static (ctx, s) => s.Executor.AttemptAsync(s, ctx.CancellationToken),
                context,
                state).ConfigureAwait(false);

            var elapsed = _timeProvider.GetElapsedTime(state.StartTimestamp);
            if (outcome.Exception is { } exception)
            {
                if (exception is HttpRequestException or TimeoutException)
                    throw Auth0Errors.FromException(request, exception, state.Attempts, elapsed);
                ExceptionDispatchInfo.Capture(exception).Throw();
            }

            return outcome.Result! with { Attempts = state.Attempts, Elapsed = elapsed };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<Outcome<Auth0HttpResponse>> AttemptAsync(AttemptState state, CancellationToken cancellationToken)
    {
        state.Attempts++;
        var request = state.Request;
        try
        {
            // The token comes first: fetching it must not hold one of the tenant's Management API slots.
            var bearer = state.BearerToken is null ? null : await state.BearerToken(cancellationToken).ConfigureAwait(false);

            using var lease = await state.Limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var message = request.CreateMessage(bearer);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var client = _httpClientFactory.CreateClient(HttpClientName);
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token)
                    .ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
                var now = _timeProvider.GetUtcNow();
                var result = new Auth0HttpResponse(
                    response.StatusCode,
                    response.ReasonPhrase,
                    body,
                    Auth0RateLimit.FromHeaders(response.Headers, now));

                Auth0Log.Response(_logger, request.Method.Method, request.Path, (int)response.StatusCode,
                    (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, state.Attempts);
                HoldTenantBackIfAsked(state, result, now);
                return Outcome.FromResult(result);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Outcome.FromException<Auth0HttpResponse>(new TimeoutException(
                    $"Auth0 did not answer {request.Method.Method} {request.Path} within {_options.RequestTimeout.TotalSeconds:0.###} s."));
            }
        }
        catch (Exception exception)
        {
            return Outcome.FromException<Auth0HttpResponse>(exception);
        }
    }

    private void HoldTenantBackIfAsked(AttemptState state, Auth0HttpResponse response, DateTimeOffset now)
    {
        var pause = Auth0RetryDelay.TenantPause(response, now, _options.MaxRetryDelay);
        if (pause <= TimeSpan.Zero)
            return;
        state.Limiter.PauseFor(pause);
        Auth0Log.TenantPaused(_logger, state.Request.Uri.GetLeftPart(UriPartial.Authority), state.Limiter.Name,
            (long)pause.TotalMilliseconds, response.RateLimit?.ToString() ?? string.Empty);
    }

    private ResiliencePipeline<Auth0HttpResponse> BuildRetryPipeline()
    {
        if (_options.MaxRetryAttempts == 0)
            return ResiliencePipeline<Auth0HttpResponse>.Empty;

        return new ResiliencePipelineBuilder<Auth0HttpResponse> { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions<Auth0HttpResponse>
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome switch
                {
                    { Exception: HttpRequestException { InnerException: Auth0AddressRefusedException } } => false,
                    { Exception: HttpRequestException or TimeoutException } => true,
                    { Result: { } response } => Auth0HttpResponse.IsTransientStatus(response.StatusCode),
                    _ => false,
                }),
                DelayGenerator = args => new ValueTask<TimeSpan?>(Auth0RetryDelay.Compute(
                    args.Outcome.Result?.RateLimit,
                    args.AttemptNumber,
                    _timeProvider.GetUtcNow(),
                    _options.BaseDelay,
                    _options.MaxRetryDelay,
                    Random.Shared.NextDouble())),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(StateKey, out var state))
                    {
                        var failure = args.Outcome.Result is { } response
                            ? Auth0Log.Describe(response.StatusCode)
                            : args.Outcome.Exception?.GetType().Name ?? "unknown failure";
                        Auth0Log.Retrying(_logger, state.Request.Method.Method, state.Request.Path, failure,
                            state.Attempts, (long)args.RetryDelay.TotalMilliseconds);
                    }

                    return default;
                },
            })
            .Build();
    }

    private sealed class AttemptState(
        Auth0HttpExecutor executor,
        Auth0HttpRequest request,
        TenantRequestLimiter limiter,
        Func<CancellationToken, ValueTask<string>>? bearerToken,
        long startTimestamp)
    {
        public Auth0HttpExecutor Executor { get; } = executor;
        public Auth0HttpRequest Request { get; } = request;
        public TenantRequestLimiter Limiter { get; } = limiter;
        public Func<CancellationToken, ValueTask<string>>? BearerToken { get; } = bearerToken;
        public long StartTimestamp { get; } = startTimestamp;
        public int Attempts { get; set; }
    }
}
