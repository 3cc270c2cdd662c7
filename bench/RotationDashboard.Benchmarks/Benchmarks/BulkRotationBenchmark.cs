using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

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
    private static readonly DashboardUser Admin = new(Actor.User("benchmark@example.invalid"), IsAdmin: true, new ClaimsPrincipal());

    public string Name => "bulk";

    public string Description =>
        $"Bulk rotation of one connection's {SinglePhase} single-phase and {PrivateKeyJwt} Private Key JWT rotations (grace period 0) in the real dashboard " +
        "(in process, built-in sandbox tenant, 5 s propagation window), per plan: the tenant and the Auth0 client on the same Management API budget. " +
        "Floor = Management API calls the tenant answered ÷ the plan's rate; wall = start → last run ended. Target: wall ≤ 1.15 × floor, 0 × 429, 0 failures. " +
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
        await using var dashboard = await InProcessDashboard.StartAsync(new Dictionary<string, string>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:AllowOutsideDevelopment"] = "true",
            ["Sandbox:AdminSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Sandbox:PublicBaseUrl"] = "http://127.0.0.1",
            ["Sandbox:PersistState"] = "false",
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
        }, cancellationToken);
        var services = dashboard.Services;
        var tenant = services.GetRequiredService<SandboxTenant>();
        tenant.SetRateLimit(SandboxPlan.Unlimited);
        var connectionId = (await services.GetRequiredService<ConnectionQueries>().ListAsync(cancellationToken))
            .Single(c => c.Name == SandboxConnections.DefaultConnectionName).Id;

        context.Progress.WriteLine($"  {plan}: creating {SinglePhase + PrivateKeyJwt} rotations (unmetered set-up)...");
        await CreateRotationsAsync(services, tenant, connectionId, cancellationToken);

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
            BulkRotationSet.OfConnection(connectionId), Admin, RunTrigger.Manual, SinglePhase + PrivateKeyJwt, cancellationToken);
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

    private static async Task CreateRotationsAsync(IServiceProvider services, SandboxTenant tenant, Guid connectionId, CancellationToken cancellationToken)
    {
        Guid projectId;
        await using (var db = await services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync(cancellationToken))
            projectId = await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync(cancellationToken);
        var create = services.GetRequiredService<CreateRotation>();
        var plans = Enumerable.Range(0, SinglePhase).Select(i => (Name: $"bulk-single-{i:000}", Strategy: RotationStrategy.SinglePhase))
            .Concat(Enumerable.Range(0, PrivateKeyJwt).Select(i => (Name: $"bulk-keys-{i:000}", Strategy: RotationStrategy.PrivateKeyJwt)))
            .ToList();
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (plan, ct) =>
        {
            var isKey = plan.Strategy == RotationStrategy.PrivateKeyJwt;
            var clientId = tenant.CreateClient(plan.Name, SandboxAppType.NonInteractive, isKey ? SandboxAuthMethod.PrivateKeyJwt : SandboxAuthMethod.ClientSecretPost).ClientId;
            var prefix = plan.Name.ToUpperInvariant().Replace('-', '_');
            var created = await create.ExecuteAsync(new CreateRotationRequest
            {
                Settings = new RotationSettings
                {
                    Name = plan.Name,
                    Type = isKey ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret,
                    Strategy = plan.Strategy,
                    ConnectionId = connectionId,
                    ProjectId = projectId,
                    IsAutoRotationEnabled = false,
                    RotationInterval = 30,
                    Parameters = new RotationParameters(clientId),
                    SecretsMapping = isKey
                        ? new SecretsMapping($"{prefix}_CLIENT_ID", PrivateKey: $"{prefix}_PRIVATE_KEY", KeyId: $"{prefix}_KEY_ID")
                        : new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
                    RetireGracePeriod = TimeSpan.Zero,
                },
                Environment = "dev",
                SecretPath = "/",
            }, Admin, ct);
            if (!created.Succeeded || created.Value.RotationStatus != "success")
                throw new InvalidOperationException($"Creating {plan.Name} failed: {created.Failure?.Message ?? created.Value.LastRotationMessage}");
        });
    }
}
