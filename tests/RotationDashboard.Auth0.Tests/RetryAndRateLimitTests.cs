using RotationDashboard.Testing;
using Microsoft.AspNetCore.Http;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using RotationDashboard.Auth0.Http;
using RotationDashboard.Auth0.Tests.Infrastructure;
using static RotationDashboard.Auth0.Tests.Infrastructure.FakeAuth0Server;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RetryAndRateLimitTests
{
    private const string Client = """{"client_id":"app1"}""";

    // Production delays (base 1 s, cap 30 s) on a clock running 50× faster: real rules, fast tests.
    private static Auth0TestHost AcceleratedHost(AcceleratedTimeProvider clock, Action<Auth0ClientOptions>? configure = null) =>
        new(o =>
        {
            o.BaseDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromSeconds(30);
            o.RequestTimeout = TimeSpan.FromSeconds(60);
            configure?.Invoke(o);
        }, clock);

    private static List<TimeSpan> RetryDelays(Auth0TestHost host) =>
        host.Logs.GetSnapshot().Where(e => e.Id.Id == 2)
            .Select(e => TimeSpan.FromMilliseconds(Convert.ToDouble(e.GetStructuredStateValue("DelayMs"), CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public async Task A_429_with_Retry_After_waits_that_long_then_succeeds()
    {
        await using var server = await StartAsync();
        server.Script("GET", "api/v2/clients/app1",
            ManagementError(429, "Too Many Requests", "Global limit has been reached", null,
                ("Retry-After", "2"), ("x-ratelimit-limit", "2"), ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", DateTimeOffset.UtcNow.AddSeconds(9).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))));
        server.On("GET", "api/v2/clients/app1", Json(200, Client));
        await using var host = AcceleratedHost(new AcceleratedTimeProvider(50));

        var client = await host.ClientFor(server).GetClientAsync("app1");

        Assert.Equal("app1", client.ClientId);
        Assert.Equal(2, server.Count("GET", "api/v2/clients/app1"));
        Assert.Equal([TimeSpan.FromSeconds(2)], RetryDelays(host));
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Id == 3); // the tenant was held back too
    }

    [Fact]
    public async Task A_429_with_only_x_ratelimit_reset_waits_until_the_reset_plus_jitter()
    {
        await using var server = await StartAsync();
        var clock = new AcceleratedTimeProvider(40);
        server.On("GET", "api/v2/clients/app1", async (request, context) =>
        {
            if (server.Count("GET", "api/v2/clients/app1") == 1)
            {
                var reset = clock.GetUtcNow().AddSeconds(20).ToUnixTimeSeconds(); // 19–20 s ahead at second precision
                await ManagementError(429, "Too Many Requests", "Slow down", null,
                    ("x-ratelimit-limit", "10"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset.ToString(CultureInfo.InvariantCulture)))(request, context);
                return;
            }

            await Json(200, Client)(request, context);
        });
        await using var host = AcceleratedHost(clock, o => o.MaxRetryDelay = TimeSpan.FromMinutes(1));

        await host.ClientFor(server).GetClientAsync("app1");

        // (reset − now) × (1 + 0–20 %); the lower bound leaves 5 s of the fast clock (125 ms real) for a busy machine.
        var delay = Assert.Single(RetryDelays(host));
        Assert.InRange(delay, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(24.1));
    }

    [Fact]
    public async Task Server_errors_and_408_back_off_exponentially_then_succeed()
    {
        await using var server = await StartAsync();
        server.Script("GET", "api/v2/clients/app1",
            ManagementError(503, "Service Unavailable", "Try later"),
            Json(502, "<html>bad gateway</html>"),
            Json(408, ""));
        server.On("GET", "api/v2/clients/app1", Json(200, Client));
        await using var host = AcceleratedHost(new AcceleratedTimeProvider(50));

        await host.ClientFor(server).GetClientAsync("app1");

        Assert.Equal(4, server.Count("GET", "api/v2/clients/app1"));
        var delays = RetryDelays(host);
        Assert.Equal(3, delays.Count);
        Assert.InRange(delays[0], TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1.1));
        Assert.InRange(delays[1], TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(2.2));
        Assert.InRange(delays[2], TimeSpan.FromSeconds(3.6), TimeSpan.FromSeconds(4.4));
    }

    [Fact]
    public async Task An_exhausted_budget_says_so_clearly_with_the_rate_limit()
    {
        await using var server = await StartAsync();
        var reset = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        server.On("GET", "api/v2/clients/app1", ManagementError(429, "Too Many Requests", "Global limit has been reached", null,
            ("Retry-After", "1"), ("x-ratelimit-limit", "2"), ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", reset.ToString(CultureInfo.InvariantCulture))));
        await using var host = AcceleratedHost(new AcceleratedTimeProvider(50), o => o.MaxRetryAttempts = 3);

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() => host.ClientFor(server).GetClientAsync("app1"));

        Assert.Equal(4, server.Count("GET", "api/v2/clients/app1"));
        Assert.StartsWith("Auth0 rate limit: gave up after 4 attempts over ", error.Message);
        Assert.Contains("(GET /api/v2/clients/app1)", error.Message);
        Assert.Contains("429", error.Message);
        Assert.Contains("Global limit has been reached", error.Message);
        Assert.Contains("remaining 0", error.Message);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.True(error.IsRateLimited);
        Assert.Equal(4, error.Attempts);
        Assert.True(error.Elapsed >= TimeSpan.FromSeconds(2.9), $"elapsed {error.Elapsed}");
        Assert.Equal(new Auth0RateLimit(2, 0, DateTimeOffset.FromUnixTimeSeconds(reset), TimeSpan.FromSeconds(1)), error.RateLimit);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        await using var server = await StartAsync();
        server.On("PATCH", "api/v2/clients/app1", ManagementError(400, "Bad Request", "Payload validation error", "invalid_body"));
        server.On("GET", "api/v2/clients/app1", ManagementError(404, "Not Found", "The client does not exist", "inexistent_client"));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);

        var badRequest = await Assert.ThrowsAsync<Auth0ApiException>(() => client.UpdateClientAsync("app1", ClientPatch.UseClientSecret()));
        await Assert.ThrowsAsync<Auth0ApiException>(() => client.GetClientAsync("app1"));

        Assert.Equal(1, server.Count("PATCH", "api/v2/clients/app1"));
        Assert.Equal(1, server.Count("GET", "api/v2/clients/app1"));
        Assert.False(badRequest.IsTransient);
        Assert.Equal("invalid_body", badRequest.ErrorCode);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        await using var server = await StartAsync();
        server.Script("GET", "api/v2/clients/app1", Delayed(TimeSpan.FromSeconds(5), Json(200, Client)));
        server.On("GET", "api/v2/clients/app1", Json(200, Client));
        await using var host = new Auth0TestHost(o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        var client = await host.ClientFor(server).GetClientAsync("app1");

        Assert.Equal("app1", client.ClientId);
        Assert.Equal(2, server.Count("GET", "api/v2/clients/app1"));
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Id == 2 && e.Message.Contains("TimeoutException"));
    }

    [Fact]
    public async Task An_answer_whose_body_stalls_times_out_like_one_that_never_starts()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/app1", async (_, context) =>
        {
            // Headers and the start of the body, then nothing for far longer than the attempt may take.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"client_id":""", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        await using var host = new Auth0TestHost(o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetryAttempts = 0;
        });

        var failure = await Assert.ThrowsAsync<Auth0ApiException>(() => host.ClientFor(server).GetClientAsync("app1"));

        Assert.True(failure.IsTransient);
        Assert.Contains("timed out", failure.Message);
    }

    [Fact]
    public async Task An_unreachable_tenant_gives_a_transient_error_after_the_budget()
    {
        var server = await StartAsync();
        var tenant = server.Tenant;
        await server.DisposeAsync(); // nothing listens on that port any more
        await using var host = new Auth0TestHost(o => o.MaxRetryAttempts = 2);
        var client = host.Factory.Create(new Auth0ConnectionSettings(tenant, "mgmt-client", "secret-never-printed"));

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() => client.GetClientAsync("app1"));

        Assert.Null(error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, error.Attempts);
        Assert.StartsWith("Auth0 unreachable: gave up after 3 attempts", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.DoesNotContain("secret-never-printed", error.ToString());
    }

    [Fact]
    public async Task Caller_cancellation_stops_without_retrying()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/app1", Delayed(TimeSpan.FromSeconds(5), Json(200, Client)));
        await using var host = new Auth0TestHost();
        var client = host.ClientFor(server);
        await client.GetGrantedScopesAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetClientAsync("app1", cancellationToken: cancellation.Token));

        Assert.Equal(1, server.Count("GET", "api/v2/clients/app1"));
    }

    [Fact]
    public async Task Concurrency_per_tenant_is_capped_across_connections()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/app1", Delayed(TimeSpan.FromMilliseconds(60), Json(200, Client)));
        await using var host = new Auth0TestHost(o => o.MaxConcurrentRequestsPerTenant = 2);
        var clients = Enumerable.Range(0, 4).Select(i => host.ClientFor(server, $"mgmt-{i}", $"secret-{i}")).ToList();
        foreach (var c in clients)
            await c.GetGrantedScopesAsync();

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => clients[i % 4].GetClientAsync("app1")));

        Assert.Equal(12, server.Count("GET", "api/v2/clients/app1"));
        Assert.Equal(2, server.MaxInFlight);
    }

    [Fact]
    public async Task A_backlog_drains_at_the_tenant_rate()
    {
        await using var server = await StartAsync();
        server.On("GET", "api/v2/clients/app1", Json(200, Client));
        await using var host = new Auth0TestHost(o =>
        {
            o.ManagementRequestsPerSecondPerTenant = 40;
            o.ManagementBurstPerTenant = 1;
        });
        var first = host.ClientFor(server, "mgmt-a", "secret-a");
        var second = host.ClientFor(server, "mgmt-b", "secret-b");
        await first.GetGrantedScopesAsync();
        await second.GetGrantedScopesAsync();

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 21).Select(i => (i % 2 == 0 ? first : second).GetClientAsync("app1")));
        stopwatch.Stop();

        // 1 burst token, then 20 more at 40/s: at least 0.5 s, whatever the concurrency allows.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.45), $"took {stopwatch.Elapsed}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_429_holds_back_other_connections_to_the_same_tenant()
    {
        await using var server = await StartAsync();
        var sent429 = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivals = new System.Collections.Concurrent.ConcurrentQueue<(string Path, long At)>();
        server.On("GET", "api/v2/clients/a", async (request, context) =>
        {
            arrivals.Enqueue(("a", Stopwatch.GetTimestamp()));
            if (!sent429.Task.IsCompleted)
            {
                await ManagementError(429, "Too Many Requests", "Slow down", null, ("Retry-After", "3"))(request, context);
                await context.Response.CompleteAsync();
                sent429.TrySetResult(Stopwatch.GetTimestamp());
                return;
            }

            await Json(200, """{"client_id":"a"}""")(request, context);
        });
        server.On("GET", "api/v2/clients/b", async (request, context) =>
        {
            arrivals.Enqueue(("b", Stopwatch.GetTimestamp()));
            await Json(200, """{"client_id":"b"}""")(request, context);
        });
        await using var host = AcceleratedHost(new AcceleratedTimeProvider(20)); // 3 s → 150 ms real
        var first = host.ClientFor(server, "mgmt-a", "secret-a");
        var second = host.ClientFor(server, "mgmt-b", "secret-b");
        await second.GetGrantedScopesAsync();

        var a = first.GetClientAsync("a");
        var at429 = await sent429.Task;
        // Start b only once the client has seen the 429 and paused the tenant.
        for (var waited = 0; !host.Logs.GetSnapshot().Any(e => e.Id.Id == 3) && waited < 5000; waited += 5)
            await Task.Delay(5);
        await second.GetClientAsync("b");
        await a;

        var bArrival = arrivals.Single(x => x.Path == "b").At;
        Assert.True(Stopwatch.GetElapsedTime(at429, bArrival) >= TimeSpan.FromMilliseconds(100),
            $"b arrived {Stopwatch.GetElapsedTime(at429, bArrival).TotalMilliseconds} ms after the 429");
    }

    [Theory]
    [InlineData(null, null, 0, 0.5, 1000)]            // exponential, attempt 0: 1 s × (0.9 + 0.2 × 0.5)
    [InlineData(null, null, 2, 0.0, 3600)]            // 4 s − 10 %
    [InlineData(null, null, 2, 1.0, 4400)]            // 4 s + 10 %
    [InlineData(null, null, 10, 1.0, 30000)]          // capped
    [InlineData(5.0, null, 0, 0.7, 5000)]             // Retry-After wins, no jitter
    [InlineData(120.0, null, 0, 0.7, 30000)]          // Retry-After capped
    [InlineData(null, 10.0, 0, 0.0, 10000)]           // reset − now
    [InlineData(null, 10.0, 0, 1.0, 12000)]           // reset − now + 20 %
    [InlineData(2.0, 10.0, 0, 1.0, 2000)]             // Retry-After before reset
    [InlineData(null, -5.0, 1, 0.5, 2000)]            // reset in the past: exponential
    public void Retry_delay_follows_Auth0s_order(double? retryAfterSeconds, double? resetInSeconds, int attempt, double random, double expectedMs)
    {
        var now = DateTimeOffset.Parse("2026-11-21T10:00:00Z");
        var rateLimit = retryAfterSeconds is null && resetInSeconds is null
            ? null
            : new Auth0RateLimit(null, null,
                resetInSeconds is { } r ? now.AddSeconds(r) : null,
                retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        var delay = Auth0RetryDelay.Compute(rateLimit, attempt, now, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Rate_limit_headers_parse_seconds_dates_and_epochs()
    {
        var now = DateTimeOffset.Parse("2026-11-21T10:00:00Z");
        using var withDate = new HttpResponseMessage();
        withDate.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(7).ToString("R", CultureInfo.InvariantCulture));
        withDate.Headers.TryAddWithoutValidation("x-ratelimit-reset", now.AddSeconds(30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        withDate.Headers.TryAddWithoutValidation("Auth0-Client-Quota-Limit", "b=per_hour;q=100;r=0;t=3600");
        using var none = new HttpResponseMessage();

        var parsed = Auth0RateLimit.FromHeaders(withDate.Headers, now)!;

        Assert.Equal(TimeSpan.FromSeconds(7), parsed.RetryAfter);
        Assert.Equal(now.AddSeconds(30), parsed.Reset);
        Assert.Equal("b=per_hour;q=100;r=0;t=3600", parsed.ClientQuotaLimit);
        Assert.Null(Auth0RateLimit.FromHeaders(none.Headers, now));
    }
}
