using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Notifications;

/// <summary>The database answers and every migration this build knows is applied.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<RotationDashboardDbContext> contexts, DatabaseMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT COUNT(*), COALESCE(MAX("version"), 0) FROM "schema_migrations";""";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var latest = reader.GetInt32(1);
            var expected = migrator.Scripts.Count == 0 ? 0 : migrator.Scripts.Max(s => s.Version);
            return latest >= expected
                ? HealthCheckResult.Healthy($"Schema at version {latest}.")
                : HealthCheckResult.Unhealthy($"Migrations pending: schema at {latest}, this build needs {expected}.");
        }
        catch (DbException)
        {
            return HealthCheckResult.Unhealthy("The database is unavailable.");
        }
    }
}

public sealed class SchedulerHealthCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return scheduler.Status == SchedulerStatus.Running
            ? HealthCheckResult.Healthy("Scheduler started.")
            : HealthCheckResult.Unhealthy("Scheduler not started.");
    }
}

/// <summary>The engine runs from application start until shutdown begins (its hosted service starts it with the app).</summary>
public sealed class EngineHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Healthy("Engine running.")
            : HealthCheckResult.Unhealthy(lifetime.ApplicationStopping.IsCancellationRequested ? "Engine stopping." : "Engine not started yet."));
}
