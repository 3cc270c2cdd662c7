using RotationDashboard.Testing;
using System.Diagnostics;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Client.Tests;

/// <summary>
/// Failures that are not credential problems never move to NEXT: 403 and 400 surface at once, 429 waits as asked,
/// 5xx and timeouts retry the same credential a bounded number of times. Faults come from the sandbox.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class NoFallbackTests : IClassFixture<SharedSandbox>
{
    private readonly SandboxHost _host;
    private readonly SandboxCreatedClient _app;
    private readonly StaticCredentialSource _source;
    private readonly RecordingHandler _recorder = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly string _next = "next-secret-" + Guid.NewGuid().ToString("N");

    public NoFallbackTests(SharedSandbox sandbox)
    {
        // Tests of one class run one after the other, so each may fault the shared tenant; start clean.
        _host = sandbox.Host;
        _host.Tenant.ClearFaults();
        _app = _host.CreateSecretApp();
        _source = new StaticCredentialSource(TestSandbox.Secret(_app.ClientId, _app.ClientSecret!), TestSandbox.Secret(_app.ClientId, _next));
    }

    private Auth0TokenClient Client(Action<Auth0ClientCredentialsOptions>? configure = null) =>
        new(_recorder.CreateClient(), _source, _host.Options(configure), logger: _logs.CreateLogger<Auth0TokenClient>());

    private void AssertOnlyCurrentWasUsed(int requests)
    {
        Assert.Equal(requests, _recorder.Count);
        Assert.All(_recorder.Requests, r => Assert.Equal(_app.ClientSecret, r.ClientSecret));
        Assert.Equal(_next, _source.Credentials.Next?.ClientSecret);
        _logs.AssertNoneContain(_app.ClientSecret, _next);
    }

    [Fact]
    public async Task Forbidden_audience_is_a_clear_error_without_fallback()
    {
        var client = Client(o => o.Audience = SandboxSeed.PaymentsApiIdentifier);

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => client.GetTokenAsync());

        Assert.Equal(403, exception.StatusCode);
        Assert.Equal("access_denied", exception.Error);
        Assert.Contains("client-grant", exception.ErrorDescription);
        Assert.Contains("client grant", exception.Message);
        Assert.False(exception.IsCredentialRejected);
        AssertOnlyCurrentWasUsed(1);
        Assertions.NoSecretIn(exception, _app.ClientSecret, _next);
    }

    [Fact]
    public async Task Bad_request_is_a_clear_error_without_fallback()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 400,
            """{"error":"invalid_request","error_description":"Missing required parameter: audience"}"""));

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => Client().GetTokenAsync());

        Assert.Equal(400, exception.StatusCode);
        Assert.Equal("invalid_request", exception.Error);
        Assert.Equal("Missing required parameter: audience", exception.ErrorDescription);
        AssertOnlyCurrentWasUsed(1);
    }

    [Fact]
    public async Task Unauthorized_with_another_error_is_not_a_credential_problem_for_a_secret()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 401, """{"error":"mfa_required","error_description":"Multifactor authentication required"}"""));

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => Client().GetTokenAsync());

        Assert.Equal("mfa_required", exception.Error);
        Assert.False(exception.IsCredentialRejected);
        AssertOnlyCurrentWasUsed(1);
    }

    [Fact]
    public async Task Rate_limit_waits_for_retry_after_then_retries_the_same_credential()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 429));
        var stopwatch = Stopwatch.StartNew();

        var token = await Client().GetTokenAsync();

        Assert.NotEmpty(token.AccessToken);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"Retried after {stopwatch.Elapsed}, before the Retry-After of 1 s.");
        Assert.Equal(new[] { 429, 200 }, _recorder.Requests.Select(r => r.Status));
        AssertOnlyCurrentWasUsed(2);
    }

    [Fact]
    public async Task Rate_limit_asking_for_a_longer_wait_than_allowed_surfaces_with_the_requested_delay()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 429));

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => Client(o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(500)).GetTokenAsync());

        Assert.Equal(429, exception.StatusCode);
        Assert.Equal("too_many_requests", exception.Error);
        Assert.Equal(TimeSpan.FromSeconds(1), exception.RetryAfter);
        Assert.True(exception.IsTransient);
        AssertOnlyCurrentWasUsed(1);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_the_same_credential()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 503, Times: 2));

        var token = await Client(o => o.MaxRetries = 2).GetTokenAsync();

        Assert.NotEmpty(token.AccessToken);
        Assert.Equal(new[] { 503, 503, 200 }, _recorder.Requests.Select(r => r.Status));
        AssertOnlyCurrentWasUsed(3);
        Assert.True(_logs.Contains("retry 1 of 2"));
    }

    [Fact]
    public async Task Server_errors_beyond_the_retry_budget_surface_as_transient()
    {
        _host.Tenant.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 502, Times: 5));

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => Client(o => o.MaxRetries = 2).GetTokenAsync());

        Assert.Equal(502, exception.StatusCode);
        Assert.True(exception.IsTransient);
        Assert.False(exception.IsCredentialRejected);
        AssertOnlyCurrentWasUsed(3);
    }

    [Fact]
    public async Task Timeouts_are_retried_with_the_same_credential_then_surface()
    {
        _host.Tenant.SetFaults(new SandboxFaults { TimeoutRate = 1, TimeoutDelay = TimeSpan.FromSeconds(30), Targets = SandboxFaultTargets.Token });

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() =>
            Client(o =>
            {
                o.RequestTimeout = TimeSpan.FromMilliseconds(200);
                o.MaxRetries = 1;
            }).GetTokenAsync());

        Assert.Null(exception.StatusCode);
        Assert.True(exception.IsTransient);
        Assert.Contains("2 attempt(s)", exception.Message);
        AssertOnlyCurrentWasUsed(2);
    }

    [Fact]
    public async Task A_network_error_is_transient_and_names_the_endpoint()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var exception = await Assert.ThrowsAsync<Auth0TokenException>(() => new Auth0TokenClient(_recorder.CreateClient(), _source,
            _host.Options(o =>
            {
                o.Domain = $"http://127.0.0.1:{closedPort}/";
                o.MaxRetries = 1;
            })).GetTokenAsync());

        Assert.True(exception.IsTransient);
        Assert.Contains("oauth/token", exception.Message);
        Assertions.NoSecretIn(exception, _app.ClientSecret, _next);
    }
}
