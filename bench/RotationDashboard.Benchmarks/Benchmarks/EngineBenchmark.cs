using System.Diagnostics;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Benchmarks.Infrastructure;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Scheduling;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Benchmarks.Benchmarks;

/// <summary>
/// The rotation engine at default settings: the real dashboard in this process with its built-in sandbox tenant
/// (Enterprise plan, 5 s propagation window) and default engine and Auth0 client options (Management API limited to
/// 2 requests/s per tenant). One run of each strategy from "Rotate now" to its end, lead time and grace period 0 so
/// only the work is measured; and how late a Quartz trigger starts a scheduled run after its due time.
/// </summary>
public sealed class EngineBenchmark : IBenchmark
{
    private const int RunsPerStrategy = 5;
    private const int ScheduledRuns = 5;
    private static readonly TimeSpan DueIn = TimeSpan.FromSeconds(2);
    internal static readonly DashboardUser Admin = new(Actor.User("benchmark@example.invalid"), IsAdmin: true, new ClaimsPrincipal());

    public string Name => "engine";

    public string Description =>
        "Rotation runs against the dashboard's built-in sandbox tenant (Enterprise plan, 5 s propagation window) with the default " +
        $"engine and Auth0 client options (Management API 2 requests/s per tenant): {RunsPerStrategy} manual runs per strategy, " +
        $"timed from Rotate now to the run's end (lead time and grace period 0); then {ScheduledRuns} scheduled runs, each due " +
        $"{DueIn.TotalSeconds:0} s ahead, timed from the due time to the run's start (Quartz trigger lag).";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        context.Progress.WriteLine("  starting the dashboard with its sandbox tenant...");
        await using var dashboard = await InProcessDashboard.StartAsync(InProcessDashboard.BuiltInSandboxSettings(), cancellationToken);
        var services = dashboard.Services;
        var rotateNow = services.GetRequiredService<RotateNow>();

        var rows = new List<BenchmarkRow>();
        foreach (var (name, clientId, strategy) in new[]
                 {
                     ("bench-single", SandboxSeed.PaymentsWorkerClientId, RotationStrategy.SinglePhase),
                     ("bench-staged", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged),
                     ("bench-keys", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt),
                 })
        {
            context.Progress.WriteLine($"  {StrategyPlan.Label(strategy)}: first issuance, then {RunsPerStrategy} runs...");
            var rotation = await CreateAsync(services, name, clientId, strategy, autoRotation: false, cancellationToken);
            var samples = new List<TimeSpan>();
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < RunsPerStrategy; i++)
            {
                var watch = Stopwatch.StartNew();
                var rotated = await rotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, Admin, waitForCompletion: true, cancellationToken);
                samples.Add(watch.Elapsed);
                if (!rotated.Succeeded || rotated.Value.Run.Status != RunStatus.Succeeded)
                {
                    throw new InvalidOperationException($"A {strategy} run did not succeed: {rotated.Failure?.Message ?? rotated.Value.Run.Message}");
                }
            }

            rows.Add(new BenchmarkRow(Name, $"{StrategyPlan.Label(strategy)} run", LatencySummary.From(samples), wall.Elapsed, "run",
                Notes: StrategyPlan.StepsFor(strategy).Count() + " steps; Rotate now → run finished"));
        }

        context.Progress.WriteLine($"  {ScheduledRuns} scheduled runs...");
        rows.Add(await ScheduledLagAsync(services, cancellationToken));
        return rows;
    }

    private async Task<BenchmarkRow> ScheduledLagAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var rotation = await CreateAsync(services, "bench-scheduled", SandboxSeed.CustomerPortalClientId, RotationStrategy.SinglePhase, autoRotation: true, cancellationToken);
        var notifier = services.GetRequiredService<IRotationRunNotifier>();
        var scheduler = services.GetRequiredService<RotationScheduler>();
        var lags = new List<TimeSpan>();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < ScheduledRuns; i++)
        {
            var started = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<RunStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = notifier.Subscribe(e =>
            {
                if (e is RunStartedEvent { Trigger: RunTrigger.Schedule } start && start.RotationId == rotation.Id)
                    started.TrySetResult(start.OccurredAt);
                if (e is RunFinishedEvent end && end.RotationId == rotation.Id)
                    finished.TrySetResult(end.Status);
            });

            // Whole milliseconds, as Quartz keeps them.
            var due = DateTimeOffset.FromUnixTimeMilliseconds((DateTimeOffset.UtcNow + DueIn).ToUnixTimeMilliseconds());
            await using (var db = await services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync(cancellationToken))
            {
                await db.Rotations.Where(r => r.Id == rotation.Id).ExecuteUpdateAsync(set => set.SetProperty(r => r.NextRotationAt, due), cancellationToken);
            }

            await scheduler.RescheduleAsync(rotation.Id, cancellationToken);
            var startedAt = await started.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            lags.Add(startedAt - due);
            if (await finished.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken) != RunStatus.Succeeded)
            {
                throw new InvalidOperationException("A scheduled run did not succeed.");
            }
        }

        return new BenchmarkRow(Name, $"scheduled start lag (due {DueIn.TotalSeconds:0} s ahead)", LatencySummary.From(lags), wall.Elapsed, "run",
            Notes: "due time → RunStartedEvent; single-phase runs");
    }

    /// <summary>A rotation of the built-in sandbox connection in dev:/, created (first issuance included) through the use case.</summary>
    internal static async Task<RotationView> CreateAsync(
        IServiceProvider services, string name, string clientId, RotationStrategy strategy, bool autoRotation, CancellationToken cancellationToken)
    {
        var connection = (await services.GetRequiredService<ConnectionQueries>().ListAsync(cancellationToken))
            .Single(c => c.Name == SandboxConnections.DefaultConnectionName);
        await using var db = await services.GetRequiredService<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync(cancellationToken);
        var projectId = await db.Projects.Where(p => p.Slug == Project.DefaultSlug).Select(p => p.Id).SingleAsync(cancellationToken);
        var prefix = name.ToUpperInvariant().Replace('-', '_');
        var isKey = strategy == RotationStrategy.PrivateKeyJwt;
        var created = await services.GetRequiredService<CreateRotation>().ExecuteAsync(new CreateRotationRequest
        {
            Settings = new RotationSettings
            {
                Name = name,
                Type = isKey ? RotationType.Auth0PrivateKeyJwt : RotationType.Auth0ClientSecret,
                Strategy = strategy,
                ConnectionId = connection.Id,
                ProjectId = projectId,
                IsAutoRotationEnabled = autoRotation,
                RotationInterval = 30,
                Parameters = new RotationParameters(clientId),
                SecretsMapping = isKey
                    ? new SecretsMapping($"{prefix}_CLIENT_ID", PrivateKey: $"{prefix}_PRIVATE_KEY", KeyId: $"{prefix}_KEY_ID")
                    : new SecretsMapping($"{prefix}_CLIENT_ID", ClientSecret: $"{prefix}_CLIENT_SECRET"),
                StagedLeadTime = TimeSpan.Zero,
                RetireGracePeriod = TimeSpan.Zero,
            },
            Environment = "dev",
            SecretPath = "/",
        }, Admin, cancellationToken);
        if (!created.Succeeded || created.Value.RotationStatus != "success")
        {
            throw new InvalidOperationException($"Creating {name} failed: {created.Failure?.Message ?? created.Value.LastRotationMessage}");
        }

        return created.Value;
    }
}
