using RotationDashboard.Testing;
using System.Diagnostics;
using System.Net;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Auth0.Tests.Contract;

/// <summary>
/// Rate limits and failures as the sandbox serves them (its token bucket, its scripted failure rules) and the
/// client's retries over real HTTP. Each test puts the tenant back to unlimited and fault-free.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class RetryContractTests(UnlimitedSandboxFixture sandbox) : IClassFixture<UnlimitedSandboxFixture>, IDisposable
{
    private SandboxTenant Tenant => sandbox.Host.Tenant;

    public void Dispose()
    {
        Tenant.ClearFaults();
        Tenant.SetRateLimit(SandboxPlan.Unlimited);
    }

    [Fact]
    public async Task Requests_over_the_Free_plan_limit_get_429_with_Retry_After_and_succeed_when_retried()
    {
        // The client's own limiter is wide open so the sandbox's bucket (2/s, burst 2) is what pushes back.
        // Retry-After is whole seconds; a cap below 1 s would retry into the same empty bucket.
        await using var client = sandbox.CreateClient(o => o.MaxRetryDelay = TimeSpan.FromSeconds(3));
        var management = client.Dashboard();
        await management.GetGrantedScopesAsync();
        Tenant.SetRateLimit(SandboxPlan.Free);

        var clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => management.GetClientAsync(SandboxSeed.BillingServiceClientId)));

        Assert.All(clients, c => Assert.Equal(SandboxSeed.BillingServiceClientId, c.ClientId));
        var calls = client.Exchanges.Management;
        Assert.Equal(5, calls.Count(e => e.Status == HttpStatusCode.OK));
        var limited = calls.Where(e => e.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, e => Assert.True(int.Parse(e.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1));
        Assert.Equal(5 + limited.Count, calls.Count);
    }

    [Fact]
    public async Task A_429_with_only_x_ratelimit_reset_is_retried_at_the_reset_not_after_the_exponential_backoff()
    {
        // The sandbox's failure rules cannot set headers, but a rule with a custom body skips the Retry-After it
        // adds to a default 429, while the Management API's x-ratelimit-* headers are still sent: exactly the
        // answer to test. Enterprise limits make x-ratelimit-reset point at the next whole second.
        Tenant.SetRateLimit(SandboxPlan.Enterprise);
        Tenant.AddFailure(new SandboxFailureRule("GET", $"/api/v2/clients/{SandboxSeed.BillingServiceClientId}", 429,
            """{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}"""));
        // Backoff without a hint would wait at least 27 s: finishing well under that proves the reset was used.
        await using var client = sandbox.CreateClient(o =>
        {
            o.BaseDelay = TimeSpan.FromSeconds(30);
            o.MaxRetryDelay = TimeSpan.FromSeconds(30);
        });
        var stopwatch = Stopwatch.StartNew();

        var billing = await client.Dashboard().GetClientAsync(SandboxSeed.BillingServiceClientId);

        Assert.Equal(SandboxSeed.BillingServiceClientId, billing.ClientId);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        var calls = client.Exchanges.Management;
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.OK], calls.Select(e => e.Status));
        Assert.Null(calls[0].RetryAfter);
        var reset = DateTimeOffset.FromUnixTimeSeconds(Assert.NotNull(calls[0].RateLimitReset));
        Assert.True(calls[1].SentAt >= reset - TimeSpan.FromMilliseconds(20), $"retried at {calls[1].SentAt:O}, reset {reset:O}");
    }

    [Fact]
    public async Task A_server_error_is_retried_and_the_call_succeeds()
    {
        Tenant.AddFailure(new SandboxFailureRule("GET", $"/api/v2/clients/{SandboxSeed.BillingServiceClientId}", 503));
        Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 500));
        await using var client = sandbox.CreateClient();

        var billing = await client.Dashboard().GetClientAsync(SandboxSeed.BillingServiceClientId);

        Assert.Equal("Billing service", billing.Name);
        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.OK], client.Exchanges.Token.Select(e => e.Status));
        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], client.Exchanges.Management.Select(e => e.Status));
    }

    [Fact]
    public async Task A_persistent_503_spends_the_retry_budget_and_ends_in_a_clear_exception()
    {
        Tenant.AddFailure(new SandboxFailureRule("GET", $"/api/v2/clients/{SandboxSeed.BillingServiceClientId}", 503, Times: 100));
        await using var client = sandbox.CreateClient(o => o.MaxRetryAttempts = 2);
        var management = client.Dashboard();

        var failure = await Assert.ThrowsAsync<Auth0ApiException>(() => management.GetClientAsync(SandboxSeed.BillingServiceClientId));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
        Assert.True(failure.IsTransient);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal("GET", failure.Method);
        Assert.Equal($"/api/v2/clients/{SandboxSeed.BillingServiceClientId}", failure.Path);
        Assert.Equal("sandbox_injected_fault", failure.ErrorCode);
        Assert.StartsWith("Auth0 unavailable: gave up after 3 attempts", failure.Message);
        Assert.Contains("503", failure.Message);
        Assert.DoesNotContain(SandboxSeed.DefaultDashboardClientSecret, failure.ToString());
        Assert.Equal(3, client.Exchanges.Management.Count);
        Assert.All(client.Exchanges.Management, e => Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Status));
    }

    [Fact]
    public async Task A_hung_Management_API_times_out_each_attempt_spends_the_retry_budget_and_ends_in_a_clear_exception()
    {
        Tenant.SetFaults(new SandboxFaults { TimeoutRate = 1, TimeoutDelay = TimeSpan.FromSeconds(30), Targets = SandboxFaultTargets.Management });
        var attemptTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = sandbox.CreateClient(o =>
        {
            o.MaxRetryAttempts = 2;
            o.RequestTimeout = attemptTimeout;
        });
        var management = client.Dashboard();

        var failure = await Assert.ThrowsAsync<Auth0ApiException>(() => management.GetClientAsync(SandboxSeed.BillingServiceClientId));

        Assert.True(failure.IsTransient);
        Assert.Null(failure.StatusCode);
        Assert.Equal(3, failure.Attempts);
        Assert.StartsWith("Auth0 unreachable: gave up after 3 attempts", failure.Message);
        Assert.Contains("timed out", failure.Message);
        Assert.True(failure.Elapsed >= attemptTimeout * 3, $"Each attempt waits its own timeout; took {failure.Elapsed}.");
        Assert.Equal(3, client.Exchanges.Management.Count);
        Assert.All(client.Exchanges.Management, e => Assert.Null(e.Status));
    }

    [Fact]
    public async Task Waiting_for_the_tenant_limiter_does_not_count_against_an_attempt_timeout()
    {
        // One request a second and a 400 ms attempt timeout: the third of three requests queues ~2 s for its turn.
        await using var client = sandbox.CreateClient(o =>
        {
            o.ManagementRequestsPerSecondPerTenant = 1;
            o.ManagementBurstPerTenant = 1;
            o.MaxRetryAttempts = 0;
            o.RequestTimeout = TimeSpan.FromMilliseconds(400);
        });
        var management = client.Dashboard();
        await management.GetClientAsync(SandboxSeed.BillingServiceClientId); // token fetched, bucket drained

        var started = Stopwatch.GetTimestamp();
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => management.GetClientAsync(SandboxSeed.BillingServiceClientId)));

        Assert.All(clients, c => Assert.Equal(SandboxSeed.BillingServiceClientId, c.ClientId));
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(1.5), "The limiter should have queued the requests.");
        Assert.All(client.Exchanges.Management, e => Assert.Equal(HttpStatusCode.OK, e.Status));
    }

    [Fact]
    public async Task A_connection_that_leaves_retries_to_its_caller_sends_a_failed_call_once()
    {
        Tenant.AddFailure(new SandboxFailureRule("GET", $"/api/v2/clients/{SandboxSeed.BillingServiceClientId}", 503, Times: 1));
        await using var client = sandbox.CreateClient(o => o.MaxRetryAttempts = 3);
        var management = client.Factory.Create(new Auth0ConnectionSettings(
            sandbox.Tenant, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret) { RetryTransientFailures = false });

        var failure = await Assert.ThrowsAsync<Auth0ApiException>(() => management.GetClientAsync(SandboxSeed.BillingServiceClientId));

        Assert.True(failure.IsTransient);
        Assert.Equal(1, failure.Attempts);
        Assert.Single(client.Exchanges.Management);
        Assert.Equal(SandboxSeed.BillingServiceClientId, (await management.GetClientAsync(SandboxSeed.BillingServiceClientId)).ClientId);
    }

    [Fact]
    public async Task A_rate_limited_verification_is_reported_as_transient_after_one_attempt()
    {
        Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 429));
        await using var client = sandbox.CreateClient();

        var check = await client.Verifier.VerifyClientSecretAsync(
            sandbox.Tenant, SandboxSeed.PaymentsWorkerClientId, SandboxSeed.PaymentsWorkerClientSecret);

        Assert.Equal(TokenCheckOutcome.Transient, check.Outcome);
        Assert.Equal(HttpStatusCode.TooManyRequests, check.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), check.RateLimit?.RetryAfter);
        Assert.Single(client.Exchanges.All);
    }
}
