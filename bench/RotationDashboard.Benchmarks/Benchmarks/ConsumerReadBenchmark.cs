using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// The consumer read API under load: the real dashboard in this process (Production settings, its own data
/// directory and root key, sandbox off), a path-scoped <c>secrets:read</c> token, and N HttpClient workers reading
/// one secret over loopback for a fixed time each. Client and server share the machine's cores.
/// </summary>
public sealed class ConsumerReadBenchmark : IBenchmark
{
    private const int MaxRequests = 400_000;
    private const string Environment = "dev";
    private const string SecretPath = "/bench";
    private const string SecretKey = "BENCH_CLIENT_SECRET";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan TargetP99 = TimeSpan.FromMilliseconds(20);
    private const double TargetThroughput = 5_000;
    private static readonly int[] Concurrency = [1, 8, 32, 64];

    public string Name => "consumer-read";

    public string Description =>
        "GET /api/v1/consumer/secrets/{key} against the real dashboard started in this process (Production settings, sandbox off) " +
        "with a path-scoped secrets:read token; N concurrent HttpClient workers over loopback, 10 s per row after a 3 s warm-up. " +
        "The last row is the app's anonymous /health endpoint, for what Kestrel and HttpClient alone cost here. " +
        $"Target: at least {TargetThroughput:N0} requests/s with p99 at most {TargetP99.TotalMilliseconds:0} ms.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        context.Progress.WriteLine("  starting the dashboard...");
        await using var dashboard = await InProcessDashboard.StartAsync(cancellationToken: cancellationToken);
        var (url, token) = await SeedAsync(dashboard, cancellationToken);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        using var client = new HttpClient(handler) { BaseAddress = dashboard.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var failures = 0;
        var path = url;
        async Task ReadAsync(int _, CancellationToken ct)
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                Interlocked.Increment(ref failures);
        }

        context.Progress.WriteLine("  warming up...");
        await Measure.ConcurrentAsync(MaxRequests, 8, WarmUp, ReadAsync, cancellationToken);
        if (failures > 0)
            throw new InvalidOperationException($"{failures} warm-up reads did not answer 200.");

        var rows = new List<BenchmarkRow>();
        foreach (var (workers, target) in Concurrency.Select(w => (w, url)).Append((8, "health")))
        {
            path = target;
            var parameters = target == url ? $"{workers} worker{(workers == 1 ? "" : "s")}" : $"baseline: GET /health, {workers} workers";
            context.Progress.WriteLine($"  {parameters}...");
            failures = 0;
            var gcBefore = GC.CollectionCount(0);
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var measurement = await Measure.ConcurrentAsync(MaxRequests, workers, Budget, ReadAsync, cancellationToken);
            var row = BenchmarkRow.From(Name, parameters, measurement, "req");
            // Less the measurement's own sample array.
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore - (long)MaxRequests * sizeof(long);
            var perRequest = allocated / (double)Math.Max(1, measurement.Samples.Count);
            var meets = row.Throughput >= TargetThroughput && row.Latency.P99 <= TargetP99;
            rows.Add(row with
            {
                Notes = string.Create(CultureInfo.InvariantCulture,
                    $"{failures} non-200; {perRequest / 1024:0.0} KB allocated/req (client+server); {GC.CollectionCount(0) - gcBefore} gen0 GCs; {(meets ? "meets the target" : "below the target")}"),
            });
        }

        return rows;
    }

    /// <summary>The default project's dev:/bench folder with one secret, and a secrets:read token limited to that path.</summary>
    private static async Task<(string Url, string Token)> SeedAsync(InProcessDashboard dashboard, CancellationToken cancellationToken)
    {
        var services = dashboard.Services;
        var store = services.GetRequiredService<SecretStoreService>();
        var admin = new DashboardUser(Actor.User("benchmark@example.invalid"), IsAdmin: true, new ClaimsPrincipal());
        var project = (await store.ListProjectsAsync(cancellationToken)).Single();
        var environment = (await store.ListEnvironmentsAsync(project.Id, cancellationToken)).Single(e => e.Slug == Environment);
        var folder = await store.CreateFolderAsync(environment.Id, SecretPath, admin.Actor, cancellationToken);
        var value = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var secret = await store.CreateSecretAsync(folder.Value.Id, SecretKey, value, admin.Actor, cancellationToken);
        if (!secret.Succeeded)
            throw new InvalidOperationException("Seeding the secret failed: " + secret);

        var issued = await services.GetRequiredService<ApiTokenService>().CreateAsync(
            "consumer-read-benchmark",
            [new ApiTokenScope(ApiPermissions.SecretsRead, project.Id, Environment, SecretPath)],
            DateTimeOffset.UtcNow.AddHours(1),
            admin,
            cancellationToken);
        if (!issued.Succeeded)
            throw new InvalidOperationException("Creating the API token failed: " + issued);

        var url = $"api/v1/consumer/secrets/{SecretKey}?projectId={project.Id}&environment={Environment}&secretPath={Uri.EscapeDataString(SecretPath)}";
        return (url, issued.Value.Value);
    }
}
