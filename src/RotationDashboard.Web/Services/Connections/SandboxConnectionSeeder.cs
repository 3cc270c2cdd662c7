using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// When the sandbox is enabled, makes sure a connection named <see cref="SandboxConnections.DefaultConnectionName"/>
/// to it exists (the sandbox's dashboard M2M application), so a first-time user can go straight to creating a
/// rotation. Idempotent and safe for two instances starting at once; a deleted one comes back at the next start.
/// </summary>
public sealed partial class SandboxConnectionSeeder(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    SandboxConnections sandbox,
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger<SandboxConnectionSeeder> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        if (!sandbox.IsEnabled)
        {
            return;
        }

        var secret = services.GetService<IOptions<SandboxTenantOptions>>()?.Value.DashboardClientSecret ?? SandboxSeed.DefaultDashboardClientSecret;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // SQLite transactions start IMMEDIATE here: a second instance starting at the same time waits, then finds it.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TakeStartupLockAsync(cancellationToken);

        var existing = await db.Connections.AsNoTracking()
            .Where(c => c.Name == SandboxConnections.DefaultConnectionName || (c.IsSandbox && c.ClientId == SandboxSeed.DashboardClientId))
            .Select(c => new { c.Name, c.IsSandbox })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            if (!existing.IsSandbox)
            {
                LogNameTaken(logger, existing.Name);
            }

            return;
        }

        var now = timeProvider.GetUtcNow();
        var connection = Connection.Create(
            new ConnectionSettings(SandboxConnections.DefaultConnectionName, SandboxConnections.PlaceholderDomain, SandboxSeed.DashboardClientId, IsSandbox: true),
            secret, protector, now);
        db.Connections.Add(connection);
        db.AuditEvents.Add(AuditEvent.Record(now, Actor.System, AuditActions.ConnectionCreate,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success,
            "Built-in sandbox connection created at start-up (client " + SandboxSeed.DashboardClientId + ")."));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogCreated(logger, connection.Name);
        }
        catch (DbUpdateException ex) when (ex.IsConstraintViolation())
        {
            // Another instance created it first.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the connection '{Name}' to the built-in sandbox tenant")]
    private static partial void LogCreated(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sandbox connection was not created: a connection named '{Name}' to another tenant exists")]
    private static partial void LogNameTaken(ILogger logger, string name);
}
