using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace RotationDashboard.Auth0.Http;

/// <summary>
/// Sends one Auth0 request through the Auth0 HttpClient, whose handler pipeline (<see cref="Auth0HttpPipeline"/>)
/// retries, times out each attempt and meters the tenant, and returns Auth0's final answer fully read.
/// </summary>
internal sealed class Auth0HttpExecutor(IHttpClientFactory httpClientFactory, TimeProvider timeProvider)
{
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
        var started = timeProvider.GetTimestamp();
        // The token comes first: fetching it must not hold one of the tenant's Management API slots.
        var bearer = bearerToken is null ? null : await bearerToken(cancellationToken).ConfigureAwait(false);
        var attempt = new Auth0AttemptState(request, limiter);
        using var message = request.CreateMessage(bearer);
        message.Options.Set(Auth0AttemptState.Key, attempt);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Auth0HttpPipeline.RetryAllowedKey, allowRetry && request.IsReplayable);
        message.SetResilienceContext(context);
        try
        {
            var client = httpClientFactory.CreateClient(Auth0ServiceCollectionExtensions.HttpClientName);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new Auth0HttpResponse(
                response.StatusCode,
                response.ReasonPhrase,
                body,
                Auth0RateLimit.FromHeaders(response.Headers, timeProvider.GetUtcNow()))
            {
                Attempts = attempt.Attempts,
                Elapsed = timeProvider.GetElapsedTime(started),
            };
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            var failure = exception is TimeoutRejectedException timeout
                ? new TimeoutException($"Auth0 did not answer {request.Method.Method} {request.Path} within {timeout.Timeout.TotalSeconds:0.###} s.", timeout)
                : exception;
            throw Auth0Errors.FromException(request, failure, attempt.Attempts, timeProvider.GetElapsedTime(started));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}

/// <summary>What the handlers of one request's attempts share: the request, its tenant's limiter and the attempt count.</summary>
internal sealed class Auth0AttemptState(Auth0HttpRequest request, TenantRequestLimiter limiter)
{
    public static readonly HttpRequestOptionsKey<Auth0AttemptState> Key = new("RotationDashboard.Auth0.Attempt");

    public Auth0HttpRequest Request { get; } = request;

    public TenantRequestLimiter Limiter { get; } = limiter;

    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public int StartAttempt() => Interlocked.Increment(ref _attempts);

    public static Auth0AttemptState Of(HttpRequestMessage message) =>
        message.Options.TryGetValue(Key, out var state)
            ? state
            : throw new InvalidOperationException("Auth0 requests are sent through Auth0HttpExecutor, which says which tenant limiter meters them.");
}

/// <summary>
/// Meters each attempt through its tenant's shared limiter (a concurrency slot and a rate token), holds the whole tenant
/// back when Auth0 says so (429, or an exhausted bucket), and keeps the slot until the answer is read (the handlers
/// inside it return only once the body is buffered). Sits inside the retry handler, so every retry waits its turn too,
/// and outside the per-attempt timeout, so queueing is not counted.
/// </summary>
internal sealed class TenantLimiterHandler(Auth0ClientOptions options, TimeProvider timeProvider, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = Auth0AttemptState.Of(request);
        var attempt = state.StartAttempt();
        using var lease = await state.Limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Auth0Log.Response(logger, request.Method.Method, state.Request.Path, (int)response.StatusCode,
            (long)elapsed.TotalMilliseconds, attempt);
        Auth0Metrics.Record(request.Method.Method, (int)response.StatusCode, elapsed);
        HoldTenantBackIfAsked(state, response);
        return response;
    }

    private void HoldTenantBackIfAsked(Auth0AttemptState state, HttpResponseMessage response)
    {
        var now = timeProvider.GetUtcNow();
        var rateLimit = Auth0RateLimit.FromHeaders(response.Headers, now);
        var pause = Auth0RetryDelay.TenantPause(response.StatusCode, rateLimit, now, options.MaxRetryDelay);
        if (pause <= TimeSpan.Zero)
        {
            if (rateLimit?.Remaining is <= 0)
                state.Limiter.Drain();
            return;
        }

        state.Limiter.PauseFor(pause);
        Auth0Log.TenantPaused(logger, state.Request.Uri.GetLeftPart(UriPartial.Authority), state.Limiter.Name,
            (long)pause.TotalMilliseconds, rateLimit?.ToString() ?? string.Empty);
    }
}

/// <summary>
/// Reads the whole answer before handing it back, innermost in the pipeline: the per-attempt timeout then covers a
/// body that stalls as well as an answer that never starts.
/// </summary>
internal sealed class ResponseBufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
