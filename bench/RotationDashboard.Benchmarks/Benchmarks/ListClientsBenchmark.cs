using System.Globalization;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Sandbox;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// Listing every application of a 1,000-app tenant through <c>ListAllClientsAsync</c> (pages of 100, stopping at
/// total), under each plan's Management API rate limit.
/// </summary>
public sealed class ListClientsBenchmark : IBenchmark
{
    private const int Applications = 1_000;

    public string Name => "list-clients";

    public string Description =>
        $"ListAllClientsAsync over a sandbox tenant with {Applications:N0} created applications (plus the seed), " +
        "per plan rate limit. One listing per sample, after one warm-up listing (token fetch, connections).";

    private sealed record Scenario(string Label, SandboxPlan TenantPlan, SandboxPlan ClientLimitsFor, int Listings);

    private static readonly Scenario[] Scenarios =
    [
        new("Free (2/s, burst 2)", SandboxPlan.Free, SandboxPlan.Free, 3),
        new("Free, client set for Enterprise", SandboxPlan.Free, SandboxPlan.Enterprise, 2),
        new("Enterprise (16/s, burst 50)", SandboxPlan.Enterprise, SandboxPlan.Enterprise, 10),
        new("Unlimited", SandboxPlan.Unlimited, SandboxPlan.Unlimited, 30),
    ];

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var rows = new List<BenchmarkRow>();
        foreach (var scenario in Scenarios)
        {
            context.Progress.WriteLine($"  {scenario.Label}...");
            await using var bench = await SandboxBench.StartAsync(
                scenario.TenantPlan, SandboxBench.ClientLimitsFor(scenario.ClientLimitsFor), cancellationToken);
            for (var i = 0; i < Applications; i++)
                bench.Host.Tenant.CreateClient($"Benchmark app {i:0000}", i % 4 == 0 ? SandboxAppType.RegularWeb : SandboxAppType.NonInteractive);
            var expected = bench.Host.Tenant.GetClients().Count;
            var management = bench.Dashboard();

            await ListOnceAsync(management, expected, cancellationToken);
            var before = bench.Requests.Snapshot();
            var measurement = await Measure.SequentialAsync(
                scenario.Listings,
                TimeSpan.FromSeconds(60),
                (_, ct) => ListOnceAsync(management, expected, ct),
                cancellationToken);
            var requests = bench.Requests.Snapshot() - before;

            var listings = measurement.Samples.Count;
            var pagesPerListing = (double)(requests.Management - requests.RateLimited) / listings;
            var rateLimitedPerListing = (double)requests.RateLimited / listings;
            var notes = string.Create(CultureInfo.InvariantCulture,
                $"{expected:N0} apps; per listing {pagesPerListing:0.#} page requests + {rateLimitedPerListing:0.#} × 429; " +
                $"{requests.Token} token requests; {requests.Management / measurement.Wall.TotalSeconds:0.#} req/s");
            rows.Add(BenchmarkRow.From(Name, scenario.Label, measurement, "listing", notes));
        }

        return rows;
    }

    private static async Task ListOnceAsync(Auth0.IAuth0ManagementClient management, int expected, CancellationToken cancellationToken)
    {
        var clients = await management.ListAllClientsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (clients.Count != expected)
            throw new InvalidOperationException($"Listed {clients.Count} applications, expected {expected}.");
    }
}
