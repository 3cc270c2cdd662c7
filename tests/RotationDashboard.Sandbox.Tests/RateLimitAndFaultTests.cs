using RotationDashboard.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Sandbox.Tests;

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class RateLimitTests
{
    [Fact]
    public async Task An_empty_bucket_answers_429_with_rate_limit_headers_and_refills_with_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestSandbox.StartAsync(o =>
        {
            o.ManagementRequestsPerSecond = 1;
            o.ManagementBurst = 2;
        }, clock);
        using var http = host.CreateHttpClient();
        using var api = host.CreateHttpClient().WithBearer(await http.ManagementTokenAsync(host));

        using var first = await api.GetAsync("api/v2/clients/" + SandboxSeed.DashboardClientId);
        using var second = await api.GetAsync("api/v2/clients/" + SandboxSeed.DashboardClientId);
        using var third = await api.GetAsync("api/v2/clients/" + SandboxSeed.DashboardClientId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", first.Header("x-ratelimit-limit"));
        Assert.Equal("1", first.Header("x-ratelimit-remaining"));
        Assert.Equal("0", second.Header("x-ratelimit-remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("1", third.Header("Retry-After"));
        Assert.Equal("0", third.Header("x-ratelimit-remaining"));
        var reset = long.Parse(third.Header("x-ratelimit-reset"));
        Assert.InRange(reset, clock.GetUtcNow().ToUnixTimeSeconds(), clock.GetUtcNow().ToUnixTimeSeconds() + 2);
        Assert.Equal("""{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}""",
            await third.Content.ReadAsStringAsync());

        clock.Advance(TimeSpan.FromSeconds(1));
        using var afterRefill = await api.GetAsync("api/v2/clients/" + SandboxSeed.DashboardClientId);
        Assert.Equal(HttpStatusCode.OK, afterRefill.StatusCode);
    }

    [Fact]
    public async Task The_free_plan_preset_is_2_per_second_and_can_be_set_at_run_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestSandbox.StartAsync(timeProvider: clock);
        using var http = host.CreateHttpClient();
        using var api = host.CreateHttpClient().WithBearer(await http.ManagementTokenAsync(host));

        host.Tenant.SetRateLimit(SandboxPlan.Free);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await api.GetAsync("api/v2/clients");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(new SandboxRateLimit(2, 2), host.Tenant.RateLimit);
    }
}

[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class FaultInjectionTests : IClassFixture<SharedSandbox>
{
    private SandboxHost Host { get; }

    // Tests of one class run one after another, so they can share a host as long as each starts with no faults.
    public FaultInjectionTests(SharedSandbox sandbox)
    {
        Host = sandbox.Host;
        Host.Tenant.ClearFaults();
    }

    [Fact]
    public async Task An_error_rate_of_1_fails_every_targeted_call_and_only_those()
    {
        using var http = Host.CreateHttpClient();
        using var api = Host.CreateHttpClient().WithBearer(await http.ManagementTokenAsync(Host));

        Host.Tenant.SetFaults(new SandboxFaults { ErrorRate = 1.0, Targets = SandboxFaultTargets.Token });
        using var token = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        using var management = await api.GetAsync("api/v2/clients");
        Host.Tenant.SetFaults(new SandboxFaults { ErrorRate = 1.0, ErrorStatusCode = 502, Targets = SandboxFaultTargets.Management });
        using var managementFailed = await api.GetAsync("api/v2/clients");
        Host.Tenant.ClearFaults();
        using var recovered = await api.GetAsync("api/v2/clients");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, token.StatusCode);
        Assert.Equal("server_error", (await token.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, management.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, managementFailed.StatusCode);
        Assert.Equal(502, (await managementFailed.ReadJsonAsync()).GetProperty("statusCode").GetInt32());
        Assert.NotEmpty(managementFailed.Header("x-ratelimit-limit"));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task A_one_shot_failure_hits_only_the_next_matching_call()
    {
        using var http = Host.CreateHttpClient();
        using var api = Host.CreateHttpClient().WithBearer(await http.ManagementTokenAsync(Host));
        Host.Tenant.AddFailure(new SandboxFailureRule("POST", "/api/v2/clients/*/rotate-secret", 500));

        using var list = await api.GetAsync("api/v2/clients");
        using var failed = await api.PostAsync($"api/v2/clients/{SandboxSeed.BillingServiceClientId}/rotate-secret", null);
        using var succeeded = await api.PostAsync($"api/v2/clients/{SandboxSeed.BillingServiceClientId}/rotate-secret", null);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
        Assert.Empty(Host.Tenant.Faults.Failures);
    }

    [Fact]
    public async Task The_admin_endpoint_scripts_failures_with_custom_bodies_and_clears_them()
    {
        using var http = Host.CreateHttpClient();

        using var put = await http.PutAsJsonAsync("__sandbox/faults", new
        {
            failures = new object[] { new { method = "POST", path = "/oauth/token", statusCode = 401, times = 2, body = new { error = "invalid_client", error_description = "Client authentication failed" } } },
        });
        var current = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("__sandbox/faults");
        using var first = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        using var clear = await http.DeleteAsync("__sandbox/faults");
        using var after = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        using var invalid = await http.PutAsJsonAsync("__sandbox/faults", new { errorRate = 2 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(2, current.GetProperty("failures")[0].GetProperty("times").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal("invalid_client", (await first.ReadJsonAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Timeouts_hang_until_the_caller_gives_up_and_latency_is_added()
    {
        using var impatient = Host.CreateHttpClient();
        impatient.Timeout = TimeSpan.FromMilliseconds(300);
        Host.Tenant.SetFaults(new SandboxFaults { TimeoutRate = 1, TimeoutDelay = TimeSpan.FromMinutes(5) });

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TaskCanceledException>(() =>
            impatient.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));

        Host.Tenant.SetFaults(new SandboxFaults { Latency = TimeSpan.FromMilliseconds(200) });
        using var http = Host.CreateHttpClient();
        watch.Restart();
        using var slow = await http.ClientCredentialsAsync(Host, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task Settings_and_reset_are_available_over_http()
    {
        using var http = Host.CreateHttpClient();
        var created = Host.Tenant.CreateClient("Temporary");

        using var put = await http.PutAsJsonAsync("__sandbox/settings", new { propagationWindowSeconds = 12, plan = "free" });
        var settings = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("__sandbox/settings");
        using var reset = await http.PostAsync("__sandbox/reset", null);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(12, settings.GetProperty("propagationWindowSeconds").GetDouble());
        Assert.Equal(2, settings.GetProperty("managementBurst").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Null(Host.Tenant.FindClient(created.ClientId));
        Assert.Equal(TimeSpan.Zero, Host.Tenant.PropagationWindow);
        Assert.True(Host.Tenant.RateLimit.IsUnlimited);
    }
}
