using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace RotationDashboard.Auth0.Tests.Contract;

/// <summary>
/// One stand-alone sandbox tenant shared by a test class (its signing and seed keys are slow to generate).
/// Tests of a class run one after another, so each may change the tenant's rate limit or faults and put them back.
/// </summary>
public abstract class SandboxFixture : IAsyncLifetime
{
    private SandboxHost? _host;

    public SandboxHost Host => _host ?? throw new InvalidOperationException("The sandbox has not started.");

    public Auth0TenantAddress Tenant => Auth0TenantAddress.Parse(Host.BaseUrl.AbsoluteUri);

    /// <summary>The clock of the tenant and of the clients the tests build on it.</summary>
    public virtual TimeProvider Clock => TimeProvider.System;

    protected virtual SandboxTenantOptions Options => new SandboxTenantOptions().UsePlan(SandboxPlan.Unlimited);

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync(Options, Clock);

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
    }

    /// <summary>The real Auth0 client wiring pointed at this tenant, with its own token cache and request log.</summary>
    public ContractClient CreateClient(Action<Auth0ClientOptions>? configure = null) => new(Tenant, Clock, configure);
}

/// <summary>No rate limit, real clock.</summary>
public sealed class UnlimitedSandboxFixture : SandboxFixture;

/// <summary>A tenant on a hand-moved clock with a 5 s propagation window, to step past it without waiting.</summary>
public sealed class ManualClockSandboxFixture : SandboxFixture
{
    public static readonly TimeSpan PropagationWindow = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public override TimeProvider Clock => _clock;

    public FakeTimeProvider ManualClock => _clock;

    protected override SandboxTenantOptions Options =>
        new SandboxTenantOptions { PropagationWindow = PropagationWindow }.UsePlan(SandboxPlan.Unlimited);
}

/// <summary>
/// <c>services.AddAuth0Client(...)</c> as the product wires it, with small retry delays, a generous client-side
/// limiter (the sandbox's limit is the one under test) and every HTTP exchange recorded on the way out.
/// </summary>
public sealed class ContractClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ContractClient(Auth0TenantAddress tenant, TimeProvider clock, Action<Auth0ClientOptions>? configure = null)
    {
        Tenant = tenant;
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddAuth0Client(options =>
        {
            options.BaseDelay = TimeSpan.FromMilliseconds(5);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
            options.MaxRetryAttempts = 3;
            options.ManagementRequestsPerSecondPerTenant = 1000;
            options.ManagementBurstPerTenant = 1000;
            options.MaxConcurrentRequestsPerTenant = 16;
            configure?.Invoke(options);
        });
        // Innermost, after the retry and limiter handlers: every attempt is recorded as it goes over the wire.
        services.AddHttpClient(Auth0ServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new RecordingHandler(Exchanges));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public Auth0TenantAddress Tenant { get; }

    public HttpExchangeLog Exchanges { get; } = new();

    public IAuth0ManagementClientFactory Factory => _services.GetRequiredService<IAuth0ManagementClientFactory>();

    public IAuth0TokenClient TokenClient => _services.GetRequiredService<IAuth0TokenClient>();

    public Auth0CredentialVerifier Verifier => _services.GetRequiredService<Auth0CredentialVerifier>();

    public ClientAssertionFactory Assertions => _services.GetRequiredService<ClientAssertionFactory>();

    /// <summary>A Management API client for the seeded dashboard M2M application.</summary>
    public IAuth0ManagementClient Dashboard() =>
        Management(SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret);

    public IAuth0ManagementClient Management(string clientId, string clientSecret) =>
        Factory.Create(new Auth0ConnectionSettings(Tenant, clientId, clientSecret));

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>One request as it left the client and the answer it got.</summary>
public sealed record HttpExchange(
    string Method,
    string Path,
    string Query,
    HttpStatusCode? Status,
    string? RetryAfter,
    long? RateLimitReset,
    DateTimeOffset SentAt)
{
    public bool IsToken => Path.EndsWith("/oauth/token", StringComparison.Ordinal);

    public bool IsManagement => Path.Contains("/api/v2/", StringComparison.Ordinal);
}

public sealed class HttpExchangeLog
{
    private readonly ConcurrentQueue<HttpExchange> _exchanges = new();

    public IReadOnlyList<HttpExchange> All => _exchanges.ToList();

    public IReadOnlyList<HttpExchange> Token => All.Where(e => e.IsToken).ToList();

    public IReadOnlyList<HttpExchange> Management => All.Where(e => e.IsManagement).ToList();

    public IReadOnlyList<HttpExchange> To(string method, string path) =>
        All.Where(e => e.Method == method && e.Path.EndsWith(path, StringComparison.Ordinal)).ToList();

    public void Add(HttpExchange exchange) => _exchanges.Enqueue(exchange);

    public void Clear() => _exchanges.Clear();
}

/// <summary>Records what went over the wire (method, path, status, rate-limit headers); never a body or a header value with a secret.</summary>
public sealed class RecordingHandler(HttpExchangeLog log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sentAt = DateTimeOffset.UtcNow;
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            return response;
        }
        finally
        {
            var uri = request.RequestUri!;
            log.Add(new HttpExchange(
                request.Method.Method,
                uri.AbsolutePath,
                uri.Query,
                response?.StatusCode,
                response?.Headers.TryGetValues("Retry-After", out var retryAfter) == true ? retryAfter.First() : null,
                response?.Headers.TryGetValues("x-ratelimit-reset", out var reset) == true &&
                long.TryParse(reset.First(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : null,
                sentAt));
        }
    }
}
