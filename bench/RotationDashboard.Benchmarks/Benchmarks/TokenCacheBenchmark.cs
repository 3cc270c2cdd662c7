using System.Globalization;
using RotationDashboard.Auth0;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// Management API calls per second once the token is cached (no limit on the tenant), against what each call
/// would cost if it fetched a token first.
/// </summary>
public sealed class TokenCacheBenchmark : IBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    public string Name => "token-cache";

    public string Description =>
        "GET /api/v2/clients/{id} through the Management client with its cached token, against an Unlimited sandbox tenant; " +
        "the last row is a bare client_credentials token request, what each call would add without the cache.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var bench = await SandboxBench.StartAsync(
            SandboxPlan.Unlimited, SandboxBench.ClientLimitsFor(SandboxPlan.Unlimited), cancellationToken);
        var management = bench.Dashboard();

        // Warm-up: token, connections, JIT.
        await Measure.ConcurrentAsync(300, 4, Budget, (_, ct) => GetAsync(management, ct), cancellationToken);

        var rows = new List<BenchmarkRow>();
        foreach (var (count, concurrency) in new[] { (3_000, 1), (6_000, 4), (6_000, 16) })
        {
            context.Progress.WriteLine($"  GET client, concurrency {concurrency}...");
            var before = bench.Requests.Snapshot();
            var measurement = await Measure.ConcurrentAsync(count, concurrency, Budget, (_, ct) => GetAsync(management, ct), cancellationToken);
            var requests = bench.Requests.Snapshot() - before;
            rows.Add(BenchmarkRow.From(Name, $"GET client, cached token, concurrency {concurrency}", measurement, "call",
                string.Create(CultureInfo.InvariantCulture, $"{requests.Management:N0} API requests, {requests.Token} token requests")));
        }

        context.Progress.WriteLine("  token request per call...");
        var tokens = await Measure.SequentialAsync(1_000, Budget, async (_, ct) =>
        {
            var result = await bench.TokenClient.RequestTokenWithSecretAsync(
                bench.Tenant, SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret, cancellationToken: ct);
            if (result.Outcome != TokenCheckOutcome.Valid)
                throw new InvalidOperationException($"Token request failed: {result.Check}.");
        }, cancellationToken);
        rows.Add(BenchmarkRow.From(Name, "POST oauth/token (no cache), concurrency 1", tokens, "token"));
        return rows;
    }

    private static async Task GetAsync(IAuth0ManagementClient management, CancellationToken cancellationToken)
    {
        var client = await management.GetClientAsync(SandboxSeed.PaymentsWorkerClientId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (client.ClientId != SandboxSeed.PaymentsWorkerClientId)
            throw new InvalidOperationException("Got the wrong application.");
    }
}
