using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>
/// Runs the real dashboard (Program.cs) on a private data directory, both in memory (<c>CreateClient</c>) and on a
/// real loopback port (<see cref="StartKestrel"/>) so a browser can reach it: WebApplicationFactory on .NET 9 only
/// offers the in-memory TestServer, and the built-in sandbox tenant is called over the app's own address.
/// </summary>
public class DashboardAppFactory : WebApplicationFactory<Program>
{
    private IHost? _kestrelHost;

    public DashboardAppFactory()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "rd-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public string DataDirectory { get; }

    public string RootKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Settings a test class can add or override before the app starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public string EnvironmentName { get; set; } = "Development";

    /// <summary>Service overrides for a test class (e.g. a manual clock); applied after the app's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    public Uri? ServerAddress { get; private set; }

    /// <summary>
    /// Services of the Kestrel host: the app behind <see cref="ServerAddress"/>, whose sandbox tenant, notifier and
    /// caches the browser and HTTP tests actually exercise (not the in-memory host's copies).
    /// </summary>
    public IServiceProvider AppServices => _kestrelHost?.Services ?? throw new InvalidOperationException("The Kestrel host did not start.");

    /// <summary>Starts the app on a loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        _ = Services; // forces the hosts to start
        return ServerAddress ?? throw new InvalidOperationException("Kestrel did not report an address.");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = DataDirectory,
            ["Encryption:RootKey"] = RootKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings) settings[key] = value;
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        if (ConfigureTestServices is { } configure) builder.ConfigureServices(configure);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Build the in-memory host WebApplicationFactory expects, then a second, real Kestrel host from the same builder.
        var testHost = builder.Build();
        builder.ConfigureWebHost(web => web.UseKestrel().UseUrls("http://127.0.0.1:0"));
        _kestrelHost = builder.Build();
        try
        {
            _kestrelHost.Start();
        }
        catch
        {
            // A host that failed to start cannot be stopped: DisposeAsync would hide the start-up error the test expects.
            _kestrelHost.Dispose();
            _kestrelHost = null;
            throw;
        }
        var addresses = _kestrelHost.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        WaitUntil(() => addresses.Addresses.Count > 0, "Kestrel to listen");
        ServerAddress = new Uri(addresses.Addresses.First().TrimEnd('/') + "/");
        testHost.Start();

        // The minimal-hosting host reports "started" when Program calls RunAsync, a moment before the in-memory
        // server can take requests; wait for it so the first CreateClient never races it.
        var testServer = (Microsoft.AspNetCore.TestHost.TestServer)testHost.Services.GetRequiredService<IServer>();
        WaitUntil(() =>
        {
            try { using var _ = testServer.CreateHandler(); return true; }
            catch (InvalidOperationException) { return false; }
        }, "the in-memory server to start");
        return testHost;
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            Thread.Sleep(20);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_kestrelHost is not null)
        {
            await _kestrelHost.StopAsync();
            _kestrelHost.Dispose();
        }
        await base.DisposeAsync();
        TryDeleteDataDirectory();
        GC.SuppressFinalize(this);
    }

    private void TryDeleteDataDirectory()
    {
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold the file briefly; the temp dir is disposable. */ }
        catch (UnauthorizedAccessException) { }
    }
}
