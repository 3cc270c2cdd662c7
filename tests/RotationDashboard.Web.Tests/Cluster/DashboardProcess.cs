using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace RotationDashboard.Web.Tests.Cluster;

/// <summary>
/// One real dashboard instance: <c>dotnet RotationDashboard.Web.dll</c> (the build tests/test.sh made) in its own
/// process, configured through environment variables, on a free loopback port. <see cref="KillHard"/> is <c>kill -9</c>
/// (<see cref="Process.Kill(bool)"/> of the whole tree): no shutdown hook runs, leases stay held until they expire.
/// </summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private DashboardProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the instance wrote (for failure messages).</summary>
    public string OutputTail => string.Join('\n', _output.TakeLast(60));

    public static DashboardProcess Start(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WebProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WebAssembly);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = address.AbsoluteUri.TrimEnd('/');
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        return new DashboardProcess(name, process, address);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (database migrated, scheduler and engine running).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Instance {Name} exited with {_process.ExitCode} before it was ready:\n{OutputTail}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            // Generous: on a loaded 2-core CI machine (browser tests and other hosts running alongside) a start can take a minute.
            if (watch.Elapsed > (timeout ?? TimeSpan.FromSeconds(180)))
            {
                throw new TimeoutException($"Instance {Name} was not ready after {watch.Elapsed.TotalSeconds:0} s:\n{OutputTail}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A client of this instance sending <paramref name="bearerToken"/>.</summary>
    public HttpClient Client(string? bearerToken)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary><c>kill -9</c>: the process and its children end at once, in the middle of whatever they do.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "RotationDashboard.sln"))) return directory.FullName;
            }

            throw new InvalidOperationException("The repository root (RotationDashboard.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    private static string WebProjectDirectory => Path.Combine(RepositoryRoot, "src", "RotationDashboard.Web");

    /// <summary>The Web project's own build output, of the configuration these tests were built in.</summary>
    private static string WebAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/{Configuration}/net10.0/
            var path = Path.Combine(WebProjectDirectory, "bin", configuration, "net10.0", "RotationDashboard.Web.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build the solution first (tests/test.sh does).");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
