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
/// Runs the real dashboard (Program.cs) on a private data directory and a real loopback port, so the HTTP tests, the
/// browser and the built-in sandbox tenant (called over the app's own address) all reach one host.
/// </summary>
public class DashboardAppFactory : WebApplicationFactory<Program>
{
    public DashboardAppFactory()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "rd-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        UseKestrel(port: 0);
    }

    public string DataDirectory { get; }

    public string RootKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Settings a test class can add or override before the app starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public string EnvironmentName { get; set; } = "Development";

    private static readonly string[] SettingsReadWhileRegistering = ["Sandbox:Enabled", "Sandbox:AllowOutsideDevelopment"];

    /// <summary>Service overrides for a test class (e.g. a manual clock); applied after the app's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    public Uri? ServerAddress { get; private set; }

    /// <summary>The services of the running app (the one host behind <see cref="ServerAddress"/>).</summary>
    public IServiceProvider AppServices => Services;

    /// <summary>Starts the app on a loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        StartServer();
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
        // Whether the sandbox is registered at all is decided while Program.cs registers services, before the
        // configuration above arrives; host settings are seen then.
        foreach (var key in SettingsReadWhileRegistering)
        {
            if (settings.TryGetValue(key, out var value) && value is not null) builder.UseSetting(key, value);
        }
        builder.UseUrls("http://127.0.0.1:0");
        if (ConfigureTestServices is { } configure) builder.ConfigureServices(configure);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        WaitUntil(() => addresses.Addresses.Count > 0, "Kestrel to listen");
        ServerAddress = new Uri(addresses.Addresses.First().TrimEnd('/') + "/");
        return host;
    }

    /// <summary>A client of the app's real port with the given redirect and cookie handling.</summary>
    public new HttpClient CreateClient(WebApplicationFactoryClientOptions options)
    {
        // A plain HTTP client of the real port: the factory's own clients follow redirects over Kestrel whatever they are told.
        var address = StartKestrel();
        return new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = options.AllowAutoRedirect,
            MaxAutomaticRedirections = options.MaxAutomaticRedirections,
            UseCookies = options.HandleCookies,
        })
        {
            BaseAddress = address,
        };
    }

    /// <summary>A client of the app's real port that follows redirects and keeps cookies.</summary>
    public new HttpClient CreateClient() => CreateClient(new WebApplicationFactoryClientOptions());

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
