using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>
/// The real dashboard (its Program.cs, unchanged) running in this process on Kestrel at 127.0.0.1, Production
/// settings, a fresh data directory and root key, the sandbox off. Program's entry point runs on its own thread; the
/// host it builds is caught through the hosting diagnostics event WebApplicationFactory uses, so the benchmark can
/// reach its services (to seed data and create an API token) and stop it.
/// </summary>
public sealed class InProcessDashboard : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly Task _run;

    private InProcessDashboard(IHost host, Task run, Uri address, string dataDirectory)
    {
        _host = host;
        _run = run;
        Address = address;
        DataDirectory = dataDirectory;
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>The dashboard's built-in sandbox tenant, in the Production environment the benchmarks run in.</summary>
    public static Dictionary<string, string> BuiltInSandboxSettings() => new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:AllowOutsideDevelopment"] = "true",
        // Demo mode needs an admin secret and a public address; the benchmarks use neither but must start.
        ["Sandbox:AdminSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Sandbox:PublicBaseUrl"] = "http://127.0.0.1",
        ["Sandbox:PersistState"] = "false",
    };

    /// <param name="settings">Configuration on top of the defaults below (command-line form, highest precedence).</param>
    public static async Task<InProcessDashboard> StartAsync(IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("rd-bench-dashboard-").FullName;
        var configuration = new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["applicationName"] = "RotationDashboard.Web",
            ["contentRoot"] = AppContext.BaseDirectory,
            ["urls"] = "http://127.0.0.1:0",
            // Production needs explicit host names; the benchmark calls the loopback address it listens on.
            ["AllowedHosts"] = "127.0.0.1;localhost",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Encryption:RootKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // Admin sign-in must be configured in Production; the benchmark never signs in.
            ["Authentication:Domain"] = "sign-in.example.invalid",
            ["Authentication:ClientId"] = "benchmark",
            ["Authentication:ClientSecret"] = "benchmark-sign-in-not-used",
            ["Authentication:AdminEmails:0"] = "benchmark@example.invalid",
            ["Authentication:AllowedEmailDomains:0"] = "example.invalid",
            // Production log levels (appsettings.json), but on stderr: stdout is the report.
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;

        var built = new TaskCompletionSource<IHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = DiagnosticListener.AllListeners.Subscribe(new HostBuiltObserver(built));
        var entryPoint = DashboardAssembly.EntryPoint ?? throw new InvalidOperationException("The dashboard assembly has no entry point.");
        var args = configuration.Select(c => $"--{c.Key}={c.Value}").ToArray();
        var run = Task.Factory.StartNew(() =>
        {
            try
            {
                entryPoint.Invoke(null, [args]);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var first = await Task.WhenAny(built.Task, run).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (first == run)
        {
            await run.ConfigureAwait(false); // throws Program's start-up failure
            throw new InvalidOperationException("The dashboard exited before it built its host.");
        }

        var host = await built.Task.ConfigureAwait(false);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => started.TrySetResult()))
        {
            if (await Task.WhenAny(started.Task, run).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false) == run)
            {
                await run.ConfigureAwait(false);
                throw new InvalidOperationException("The dashboard exited during start-up.");
            }
        }

        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessDashboard(host, run, new Uri(address.TrimEnd('/') + "/"), dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        _host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await _run.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // The dashboard's Program class shares its name with this program's; any type of the assembly finds it.
    private static Assembly DashboardAssembly => typeof(Web.Api.ApiJson).Assembly;

    private sealed class HostBuiltObserver(TaskCompletionSource<IHost> built) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        private readonly List<IDisposable> _subscriptions = [];

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.Extensions.Hosting")
                _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == "HostBuilt" && value.Value is IHost host)
                built.TrySetResult(host);
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
