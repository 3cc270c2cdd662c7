using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>Deletes an Auth0 connection no rotation uses (UI and API).</summary>
public sealed class DeleteConnection(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ConnectionForms forms,
    PermissionGuard guard,
    ApplicationListCache applicationCache,
    TimeProvider timeProvider) : IDeleteConnection
{
    /// <summary>Deletes a connection (audited as <c>connection.delete</c>); refused with a Conflict while rotations use it.</summary>
    /// <exception cref="ForbiddenActionException">The caller lacks connections:write.</exception>
    public async Task<OperationResult<ConnectionView>> ExecuteAsync(
        Guid connectionId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        await guard.EnsureAsync(user, ApiPermissions.ConnectionsWrite, null, AuditActions.ConnectionDelete, "delete connections",
            AuditTarget.Connection(connectionId, ""), cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionView>.NotFound("The connection does not exist.");
        }

        var view = forms.ToView(connection, rotationCount: 0);
        var users = await db.Rotations.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId)
            .OrderBy(r => r.Name)
            .Select(r => r.Name)
            .ToListAsync(cancellationToken);
        if (users.Count > 0)
        {
            return OperationResult<ConnectionView>.Conflict(ConnectionForms.InUseMessage(connection.Name, users));
        }

        db.Connections.Remove(connection);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), user.Actor, AuditActions.ConnectionDelete,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success, ConnectionForms.Describe(connection)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsConstraintViolation())
        {
            // A rotation was created meanwhile; the foreign key refused the delete.
            await using var again = await contextFactory.CreateDbContextAsync(cancellationToken);
            var names = await again.Rotations.Where(r => r.ConnectionId == connectionId).Select(r => r.Name).ToListAsync(cancellationToken);
            return OperationResult<ConnectionView>.Conflict(ConnectionForms.InUseMessage(connection.Name, names));
        }

        applicationCache.Invalidate(connectionId);
        return OperationResult.Success(view);
    }
}
