using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// Incident-scale bulk rotation: every rotation of a connection (200 single-phase, 50 Private Key JWT) rotated at once
/// in the real dashboard against its built-in sandbox tenant on the Free and the Enterprise plan, the Auth0 client told
/// the same budget. The floor is what the rate limit allows: Management API calls ÷ the plan's requests/s.
/// </summary>
public sealed class BulkRotationBenchmark : IBenchmark
{
    private const int SinglePhase = 200;
    private const int PrivateKeyJwt = 50;

    public string Name => "bulk";

    public string Description =>
        $"Bulk rotation of one connection's {SinglePhase} single-phase and {PrivateKeyJwt} Private Key JWT rotations (grace period 0) in the real dashboard " +
        "(in process, built-in sandbox tenant, 5 s propagation window), per plan: the tenant and the Auth0 client on the same Management API budget. " +
        "Floor = Management API calls the tenant answered ÷ the plan's rate; wall = start → last run ended. Target: wall ≤ 1.15 × floor, 0 failures (429s reported). " +
        "Latency columns: one run, queued → ended.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var rows = new List<BenchmarkRow>();
        foreach (var (plan, budgetPlan) in new[] { (SandboxPlan.Enterprise, Auth0Plan.Enterprise), (SandboxPlan.Free, Auth0Plan.Free) })
            rows.Add(await RunPlanAsync(context, plan, Auth0ManagementBudget.For(budgetPlan), cancellationToken));
        return rows;
    }

    private async Task<BenchmarkRow> RunPlanAsync(BenchmarkContext context, SandboxPlan plan, Auth0ManagementBudget budget, CancellationToken cancellationToken)
    {
        context.Progress.WriteLine($"  {plan}: starting the dashboard with its sandbox tenant...");
        var settings = InProcessDashboard.BuiltInSandboxSettings();
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     // Set-up (250 rotations with their first issuance) runs unmetered; the plan's budget applies to the measured part only.
                     ["Auth0Client:ManagementRequestsPerSecondPerTenant"] = "10000",
                     ["Auth0Client:ManagementBurstPerTenant"] = "10000",
                     // The Authentication API (each run's verification) has its own, larger budget on a real tenant.
                     ["Auth0Client:TokenRequestsPerSecondPerTenant"] = "200",
                     ["Auth0Client:TokenBurstPerTenant"] = "200",
                     ["Auth0Client:MaxConcurrentRequestsPerTenant"] = "32",
                     ["RotationEngine:MaxConcurrentRuns"] = "64",
                     // 250 runs log a few lines per step at Information; on two cores that console output competes with the runs.
                     ["Logging:LogLevel:Default"] = "Warning",
                 })
            settings[key] = value;
        await using var dashboard = await InProcessDashboard.StartAsync(settings, cancellationToken);
        var services = dashboard.Services;
        var tenant = services.GetRequiredService<SandboxTenant>();
        tenant.SetRateLimit(SandboxPlan.Unlimited);
        var connectionId = (await services.GetRequiredService<ConnectionQueries>().ListAsync(cancellationToken))
            .Single(c => c.Name == SandboxConnections.DefaultConnectionName).Id;

        context.Progress.WriteLine($"  {plan}: creating {SinglePhase + PrivateKeyJwt} rotations (unmetered set-up)...");
        await CreateRotationsAsync(services, tenant, cancellationToken);

        // The tenant on its plan, and the dashboard's budget for it as a reloaded configuration would set it.
        tenant.SetRateLimit(plan);
        var options = services.GetRequiredService<IOptionsMonitor<Auth0ClientOptions>>().CurrentValue;
        options.ManagementRequestsPerSecondPerTenant = budget.RequestsPerSecond;
        options.ManagementBurstPerTenant = budget.Burst;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

        context.Progress.WriteLine($"  {plan}: bulk rotation of the connection at {budget.RequestsPerSecond}/s...");
        using var calls = new TenantCallCounter(SandboxIntegration.MountPath);
        var wall = Stopwatch.StartNew();
        var started = await services.GetRequiredService<StartBulkRotation>().ExecuteAsync(
            BulkRotationSet.OfConnection(connectionId), EngineBenchmark.Admin, RunTrigger.Manual, SinglePhase + PrivateKeyJwt, cancellationToken);
        if (!started.Succeeded)
            throw new InvalidOperationException("The bulk rotation did not start: " + started.Failure!.Message);
        await services.GetRequiredService<BulkOperationRunner>().WhenFinished(started.Value).WaitAsync(TimeSpan.FromMinutes(20), cancellationToken);
        wall.Stop();
        var summary = (await services.GetRequiredService<GetBulkOperation>().ExecuteAsync(started.Value, cancellationToken))!;

        var floor = TimeSpan.FromSeconds(calls.Answered / budget.RequestsPerSecond);
        var runs = summary.Items.Where(i => i.StartedAt is not null && i.FinishedAt is not null).Select(i => i.FinishedAt!.Value - i.StartedAt!.Value).ToList();
        var firstFailure = summary.Items.FirstOrDefault(i => i.State == BulkItemState.Failed)?.Message;
        var notes = string.Create(CultureInfo.InvariantCulture,
            $"{calls.Answered:N0} Management calls, floor {floor.TotalSeconds:0.0} s, wall/floor {wall.Elapsed / floor:0.00}×, {calls.RateLimited} × 429, " +
            $"{summary.Failed} failed{(firstFailure is null ? "" : $" (first: {firstFailure})")}, {summary.MaxInFlight} in flight");
        context.Progress.WriteLine($"  {plan}: {notes}");
        return new BenchmarkRow(Name, $"{plan} ({budget.RequestsPerSecond:0}/s, burst {budget.Burst}): {SinglePhase} single-phase + {PrivateKeyJwt} PKJWT",
            LatencySummary.From(runs), wall.Elapsed, "rotation", notes);
    }

    private static async Task CreateRotationsAsync(IServiceProvider services, SandboxTenant tenant, CancellationToken cancellationToken)
    {
        var plans = Enumerable.Range(0, SinglePhase).Select(i => (Name: $"bulk-single-{i:000}", Strategy: RotationStrategy.SinglePhase))
            .Concat(Enumerable.Range(0, PrivateKeyJwt).Select(i => (Name: $"bulk-keys-{i:000}", Strategy: RotationStrategy.PrivateKeyJwt)))
            .ToList();
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (plan, ct) =>
        {
            var method = plan.Strategy == RotationStrategy.PrivateKeyJwt ? SandboxAuthMethod.PrivateKeyJwt : SandboxAuthMethod.ClientSecretPost;
            var clientId = tenant.CreateClient(plan.Name, SandboxAppType.NonInteractive, method).ClientId;
            await EngineBenchmark.CreateAsync(services, plan.Name, clientId, plan.Strategy, autoRotation: false, ct);
        });
    }
}
