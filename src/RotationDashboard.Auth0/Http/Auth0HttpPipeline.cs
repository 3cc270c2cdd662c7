using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace RotationDashboard.Auth0.Http;

/// <summary>
/// The Auth0 HttpClient's handlers, outermost first: retry (Microsoft.Extensions.Http.Resilience) → the tenant's
/// limiter → a per-attempt timeout → reading the whole answer → the network. Written by hand: only Auth0's delay order (<see cref="Auth0RetryDelay"/>:
/// Retry-After, else x-ratelimit-reset with jitter, else exponential) and the shared per-tenant limiter, which the
/// library has no equivalent for.
/// </summary>
/// <remarks>
/// Which layer retries a transient Auth0 answer (408, 429, 5xx, a network error or a timed-out attempt) is decided per
/// call path, so that no call is retried by two layers: this pipeline retries the UI's and the API's calls and the
/// Management API token request; a rotation run's Management API calls are sent once here
/// (<see cref="Auth0ConnectionSettings.RetryTransientFailures"/> off) and retried by the engine, which shows the wait
/// and bounds it by the run's time limit. A 429 still holds the whole tenant back in the limiter on every path.
/// </remarks>
internal static class Auth0HttpPipeline
{
    /// <summary>False for a request that must not be sent twice (a single-use client assertion).</summary>
    public static readonly ResiliencePropertyKey<bool> RetryAllowedKey = new("RotationDashboard.Auth0.RetryAllowed");

    private const string LoggerCategory = "RotationDashboard.Auth0";

    public static IHttpClientBuilder AddAuth0Pipeline(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler("auth0-retry", static (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            var options = services.GetRequiredService<IOptions<Auth0ClientOptions>>().Value;
            var timeProvider = services.GetRequiredService<TimeProvider>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
            pipeline.TimeProvider = timeProvider;
            if (options.MaxRetryAttempts == 0)
                return;

            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                // Auth0RetryDelay reads Retry-After itself, then x-ratelimit-reset, which the library does not know.
                ShouldRetryAfterHeader = false,
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(RetryAllowedKey, true) && IsTransient(args.Outcome)),
                DelayGenerator = args =>
                {
                    var now = timeProvider.GetUtcNow();
                    var rateLimit = args.Outcome.Result is { } response ? Auth0RateLimit.FromHeaders(response.Headers, now) : null;
                    return ValueTask.FromResult<TimeSpan?>(Auth0RetryDelay.Compute(
                        rateLimit, args.AttemptNumber, now, options.BaseDelay, options.MaxRetryDelay, Random.Shared.NextDouble()));
                },
                OnRetry = args =>
                {
                    Auth0Metrics.Retries.Add(1);
                    if (args.Context.GetRequestMessage() is { } message && message.Options.TryGetValue(Auth0AttemptState.Key, out var state))
                    {
                        var failure = args.Outcome switch
                        {
                            { Result: { } response } => Auth0Log.Describe(response.StatusCode),
                            { Exception: TimeoutRejectedException } => nameof(TimeoutException),
                            { Exception: { } exception } => exception.GetType().Name,
                            _ => "unknown failure",
                        };
                        Auth0Log.Retrying(logger, message.Method.Method, state.Request.Path, failure, state.Attempts,
                            (long)args.RetryDelay.TotalMilliseconds);
                    }

                    return default;
                },
            });
        });

        builder.AddHttpMessageHandler(services => new TenantLimiterHandler(
            services.GetRequiredService<IOptions<Auth0ClientOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory)));

        builder.AddResilienceHandler("auth0-attempt-timeout", static (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            pipeline.TimeProvider = services.GetRequiredService<TimeProvider>();
            pipeline.AddTimeout(services.GetRequiredService<IOptions<Auth0ClientOptions>>().Value.RequestTimeout);
        });
        builder.AddHttpMessageHandler(() => new ResponseBufferingHandler());
        return builder;
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        // The SSRF guard refused the address: sending again cannot help.
        { Exception: HttpRequestException { InnerException: Auth0AddressRefusedException } } => false,
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => Auth0HttpResponse.IsTransientStatus(response.StatusCode),
        _ => false,
    };
}
