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
/// Runs the real dashboard (Program.cs) on a private data directory. <see cref="StartKestrel"/> also serves it on a
/// real loopback port so a browser can reach it; WebApplicationFactory on .NET 9 only offers the in-memory TestServer.
/// </summary>
public class DashboardAppFactory : WebApplicationFactory<Program>
{
    private IHost? _kestrelHost;
    private bool _useKestrel;

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

    public Uri? ServerAddress { get; private set; }

    /// <summary>Starts the app on a loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        _useKestrel = true;
        _ = Services; // forces the host to start
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
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        if (!_useKestrel) return base.CreateHost(builder);

        // Build the in-memory host WebApplicationFactory expects, then a second, real Kestrel host from the same builder.
        var testHost = builder.Build();
        builder.ConfigureWebHost(web => web.UseKestrel().UseUrls("http://127.0.0.1:0"));
        _kestrelHost = builder.Build();
        _kestrelHost.Start();
        var addresses = _kestrelHost.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        ServerAddress = new Uri(addresses.Addresses.First().TrimEnd('/') + "/");
        testHost.Start();
        return testHost;
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
