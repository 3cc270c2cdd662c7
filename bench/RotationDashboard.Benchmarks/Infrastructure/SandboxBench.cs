using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Auth0;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>
/// A stand-alone sandbox tenant on 127.0.0.1 and the product's Auth0 client wiring (<c>AddAuth0Client</c>) pointed
/// at it, with every HTTP request counted on the way out. One per scenario: the client's token cache and tenant
/// limiter live as long as this does, as they would in the running dashboard.
/// </summary>
public sealed class SandboxBench : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private SandboxBench(SandboxHost host, ServiceProvider services, HttpRequestCounter requests)
    {
        Host = host;
        _services = services;
        Requests = requests;
        Tenant = Auth0TenantAddress.Parse(host.BaseUrl.AbsoluteUri);
    }

    public SandboxHost Host { get; }

    public Auth0TenantAddress Tenant { get; }

    public HttpRequestCounter Requests { get; }

    public IAuth0ManagementClientFactory Factory => _services.GetRequiredService<IAuth0ManagementClientFactory>();

    public IAuth0TokenClient TokenClient => _services.GetRequiredService<IAuth0TokenClient>();

    public Auth0CredentialVerifier Verifier => _services.GetRequiredService<Auth0CredentialVerifier>();

    /// <summary>The Management API client of the seeded dashboard application.</summary>
    public IAuth0ManagementClient Dashboard() => Factory.Create(
        new Auth0ConnectionSettings(Tenant, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret));

    /// <param name="plan">The tenant's Management API rate limit.</param>
    /// <param name="configureClient">Client options on top of the product defaults (which suit the Free plan).</param>
    public static async Task<SandboxBench> StartAsync(
        SandboxPlan plan,
        Action<Auth0ClientOptions>? configureClient = null,
        CancellationToken cancellationToken = default)
    {
        var host = await SandboxHost.StartAsync(new SandboxTenantOptions().UsePlan(plan), cancellationToken).ConfigureAwait(false);
        try
        {
            var requests = new HttpRequestCounter();
            var services = new ServiceCollection();
            services.AddAuth0Client(options => configureClient?.Invoke(options));
            // Innermost: every attempt that goes over the wire is counted, retries included.
            services.AddHttpClient(Auth0ServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new CountingHandler(requests));
            return new SandboxBench(host, services.BuildServiceProvider(), requests);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Client limits matching a sandbox plan, as an administrator would configure them for that tenant.</summary>
    public static Action<Auth0ClientOptions> ClientLimitsFor(SandboxPlan plan) => options =>
    {
        var limit = SandboxRateLimit.For(plan);
        options.ManagementRequestsPerSecondPerTenant = limit.IsUnlimited ? 10_000 : limit.RequestsPerSecond;
        options.ManagementBurstPerTenant = limit.IsUnlimited ? 10_000 : limit.Burst;
        options.TokenRequestsPerSecondPerTenant = 10_000;
        options.TokenBurstPerTenant = 10_000;
        options.MaxConcurrentRequestsPerTenant = 16;
    };

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Counts requests by kind and status as they leave the client (retries included).</summary>
public sealed class HttpRequestCounter
{
    private long _token;
    private long _management;
    private long _rateLimited;
    private long _serverErrors;

    public long Token => Interlocked.Read(ref _token);

    public long Management => Interlocked.Read(ref _management);

    public long Total => Token + Management;

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    public HttpRequestSnapshot Snapshot() => new(Token, Management, RateLimited, ServerErrors);

    internal void Record(Uri uri, HttpStatusCode? status)
    {
        if (uri.AbsolutePath.EndsWith("/oauth/token", StringComparison.Ordinal))
            Interlocked.Increment(ref _token);
        else
            Interlocked.Increment(ref _management);
        if (status == HttpStatusCode.TooManyRequests)
            Interlocked.Increment(ref _rateLimited);
        else if ((int?)status >= 500)
            Interlocked.Increment(ref _serverErrors);
    }
}

public readonly record struct HttpRequestSnapshot(long Token, long Management, long RateLimited, long ServerErrors)
{
    public long Total => Token + Management;

    public static HttpRequestSnapshot operator -(HttpRequestSnapshot after, HttpRequestSnapshot before) =>
        new(after.Token - before.Token, after.Management - before.Management,
            after.RateLimited - before.RateLimited, after.ServerErrors - before.ServerErrors);
}

internal sealed class CountingHandler(HttpRequestCounter counter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response;
        }
        finally
        {
            counter.Record(request.RequestUri!, response?.StatusCode);
        }
    }
}
