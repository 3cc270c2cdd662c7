using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Security;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>
/// The one test host: the real dashboard (Program.cs) on a private data directory and a real loopback port, so the
/// HTTP tests, the browser and the built-in sandbox tenant (called over the app's own address) all reach one host.
/// Test classes choose what they need before it starts (<see cref="UseFastEngine"/>, <see cref="UseBootstrapToken"/>,
/// <see cref="Settings"/>, <see cref="ConfigureTestServices"/>); every log line is kept (to prove no secret is logged)
/// and every request the sandbox receives is counted (to prove an operation made no Auth0 change).
/// </summary>
public class DashboardAppFactory : WebApplicationFactory<Program>
{
    public const string BootstrapToken = "BWaW2DLPp4MZ63t4Yb3qpjdtxtubzTGhUe1GgAfIe5w=";

    private static readonly string[] SettingsReadWhileRegistering = ["Sandbox:Enabled", "Sandbox:AllowOutsideDevelopment"];

    private bool _unlimitedSandbox;

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

    /// <summary>Service overrides for a test class (e.g. a manual clock); applied after the app's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    public Uri? ServerAddress { get; private set; }

    /// <summary>The app's base address; starts it on first use.</summary>
    public Uri Address => StartKestrel();

    /// <summary>The services of the running app (the one host behind <see cref="ServerAddress"/>).</summary>
    public IServiceProvider AppServices => Services;

    /// <summary>Requests the in-app sandbox tenant received (method and path below its mount point).</summary>
    public RequestCounter SandboxRequests { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public static DashboardUser Ada { get; } = new(Actor.User(SandboxSignIn.Admin), IsAdmin: true, new ClaimsPrincipal());

    public static DashboardUser Victor { get; } = new(Actor.User(SandboxSignIn.Viewer), IsAdmin: false, new ClaimsPrincipal());

    public static DashboardUser Admin => Ada;

    public SandboxTenant Sandbox => Get<SandboxTenant>();

    /// <summary>The in-app sandbox's base URL (token endpoint <c>{TenantUrl}oauth/token</c>).</summary>
    public Uri TenantUrl => new(Address, "sandbox-tenant/");

    /// <summary>The in-app sandbox's base address, as a user would type it.</summary>
    public string SandboxDomain => new Uri(Address, "sandbox-tenant").AbsoluteUri;

    /// <summary>Runs the engine and the Auth0 client with the test timings of <see cref="FastEngineSettings"/>.</summary>
    protected void UseFastEngine()
    {
        foreach (var (key, value) in FastEngineSettings.Values) Settings[key] = value;
    }

    /// <summary>An in-memory sandbox tenant without rate limit or propagation window: a changed secret works, and the old one stops working, at once.</summary>
    protected void UseInstantSandbox() => _unlimitedSandbox = true;

    /// <summary>Accepts the bootstrap token, for tests that call the API as a caller with every permission.</summary>
    protected void UseBootstrapToken() => Settings["Security:BootstrapToken"] = BootstrapToken;

    /// <summary>Keeps Information and the app's Debug lines (the default host keeps warnings only).</summary>
    protected void LogVerbosely()
    {
        Settings["Logging:LogLevel:Default"] = "Information";
        Settings["Logging:LogLevel:RotationDashboard"] = "Debug";
    }

    /// <summary>Starts the app on a loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        StartServer();
        return ServerAddress ?? throw new InvalidOperationException("Kestrel did not report an address.");
    }

    public T Get<T>() where T : notnull => AppServices.GetRequiredService<T>();

    /// <summary>A client of the app's real port sending <paramref name="token"/> as its bearer token.</summary>
    public HttpClient Client(string? token = BootstrapToken)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<string> IssueTokenAsync(string name, params ApiTokenScope[] scopes)
    {
        var issued = await Get<ApiTokenService>().CreateAsync(name + "-" + Guid.NewGuid().ToString("N")[..6], scopes, DateTimeOffset.UtcNow.AddDays(1), Admin);
        Assert.True(issued.Succeeded, issued.ToString());
        return issued.Value.Value;
    }

    /// <summary>A client-credentials application in the sandbox tenant, so a test's rotations touch no other test's application.</summary>
    public SandboxCreatedClient CreateApplication(string name, SandboxAuthMethod method = SandboxAuthMethod.ClientSecretPost) =>
        Sandbox.CreateClient(name, SandboxAppType.NonInteractive, method);

    public string NewApplication(string name, SandboxAuthMethod method = SandboxAuthMethod.ClientSecretPost) =>
        CreateApplication(name, method).ClientId;

    /// <summary>The default project (some tests add another).</summary>
    public async Task<Guid> DefaultProjectIdAsync()
    {
        await using var db = await CreateContextAsync();
        return await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync();
    }

    public Task<Guid> ProjectIdAsync() => DefaultProjectIdAsync();

    public async Task<Guid> SandboxConnectionIdAsync()
    {
        await using var db = await CreateContextAsync();
        return await db.Connections.Where(c => c.Name == SandboxConnections.DefaultConnectionName).Select(c => c.Id).SingleAsync();
    }

    /// <summary>Creates the folder (and parents) in an environment of the default project unless it exists.</summary>
    public async Task EnsureFolderAsync(string environment, string path)
    {
        var store = Get<SecretStoreService>();
        var projectId = await ProjectIdAsync();
        if (await store.FindFolderAsync(projectId, environment, path) is not null)
        {
            return;
        }

        var environmentId = (await store.ListEnvironmentsAsync(projectId)).Single(e => e.Slug == environment).Id;
        var created = await store.CreateFolderAsync(environmentId, path, Admin.Actor);
        Assert.True(created.Succeeded, created.ToString());
    }

    public async Task<RotationDashboardDbContext> CreateContextAsync() =>
        await Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();

    public async Task<int> RotationCountAsync()
    {
        await using var db = await CreateContextAsync();
        return await db.Rotations.CountAsync();
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
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddSingleton<IStartupFilter>(new SandboxRequestCounter(SandboxRequests));
            if (_unlimitedSandbox)
            {
                // Program reads the Sandbox section while building, before the settings above apply: set the tenant directly.
                services.Configure<SandboxTenantOptions>(tenant =>
                {
                    tenant.UsePlan(SandboxPlan.Unlimited);
                    tenant.PropagationWindow = TimeSpan.Zero;
                    tenant.StateFilePath = null;
                });
            }
        });
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

    private sealed class SandboxRequestCounter(RequestCounter counter) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path.StartsWithSegments(SandboxIntegration.MountPath, out var rest) && !rest.StartsWithSegments("/__sandbox"))
                {
                    counter.Add(context.Request.Method, rest.Value ?? "");
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
