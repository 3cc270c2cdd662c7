using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Sandbox;

/// <summary>
/// The sandbox tenant on its own Kestrel server at http://127.0.0.1:{free port}/, for tests, benchmarks and
/// stand-alone demos.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private SandboxHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        Tenant = app.Services.GetRequiredService<SandboxTenant>();
    }

    /// <summary>The tenant base URL, with its trailing slash (the client-assertion audience).</summary>
    public Uri BaseUrl { get; }

    public Uri TokenEndpoint => new(BaseUrl, "oauth/token");

    /// <summary>The Management API base URL, which is also its audience.</summary>
    public Uri ManagementApiUrl => new(BaseUrl, "api/v2/");

    public SandboxTenant Tenant { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<SandboxHost> StartAsync(SandboxTenantOptions options, CancellationToken ct = default) =>
        StartAsync(options, TimeProvider.System, null, ct);

    /// <param name="timeProvider">The clock of the tenant (token lifetimes, propagation window, rate limit).</param>
    /// <param name="loggerProvider">Receives the tenant's logs; none are written when null.</param>
    public static async Task<SandboxHost> StartAsync(
        SandboxTenantOptions options,
        TimeProvider timeProvider,
        ILoggerProvider? loggerProvider = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        if (loggerProvider is not null)
            builder.Logging.AddProvider(loggerProvider);
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSandboxTenant(options.CopyTo);

        var app = builder.Build();
        try
        {
            // Resolve the tenant first: bad options or an unreadable state file fail here, before a port is opened.
            app.Services.GetRequiredService<SandboxTenant>();
            app.MapSandboxTenant("");
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new SandboxHost(app, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
            await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
