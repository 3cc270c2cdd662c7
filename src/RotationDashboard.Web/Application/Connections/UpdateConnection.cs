using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>Changes an Auth0 connection (UI form and API PATCH).</summary>
public sealed class UpdateConnection(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    ConnectionForms forms,
    ConnectionTester tester,
    PermissionGuard guard,
    ApplicationListCache applicationCache,
    TimeProvider timeProvider) : IUpdateConnection
{
    /// <summary>
    /// Changes a connection (audited as <c>connection.update</c> with the changed fields). A null secret keeps the
    /// stored one unless the tenant changes. A change of tenant or credentials clears the last test result.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks connections:write.</exception>
    public async Task<OperationResult<ConnectionView>> ExecuteAsync(
        Guid connectionId,
        ConnectionPatch patch,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        await guard.EnsureAsync(user, ApiPermissions.ConnectionsWrite, null, AuditActions.ConnectionUpdate, "change connections",
            AuditTarget.Connection(connectionId, patch.Name ?? ""), cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionView>.NotFound("The connection does not exist.");
        }

        var (settings, errors) = forms.ToSettings(forms.Merge(connection, patch), requireClientSecret: false, secretGiven: patch.ClientSecret is not null);
        if (patch.ClientSecret is null && !errors.ContainsKey("domain") && !ConnectionForms.SameTenant(connection, settings))
        {
            errors.Add("clientSecret", ConnectionForms.StoredSecretNeedsSameTenant);
        }

        await ConnectionForms.CheckNameIsFreeAsync(db, settings.Name, exceptId: connectionId, errors, cancellationToken);
        await forms.CheckOutboundAddressAsync(settings, errors, cancellationToken);
        if (errors.HasErrors)
        {
            return OperationResult<ConnectionView>.Invalid(errors);
        }

        var before = (connection.Name, connection.Domain, connection.ClientId, connection.Audience, connection.IsSandbox);
        var now = timeProvider.GetUtcNow();
        var credentialsChanged = connection.Update(settings, patch.ClientSecret, protector, now);
        if (credentialsChanged && await tester.TestBeforeSavingAsync(connection, cancellationToken) is { } refused)
        {
            // New credentials or another tenant: saved only once Auth0 accepts them (the tracked changes are dropped).
            return OperationResult<ConnectionView>.Invalid(refused);
        }
        var changes = ConnectionForms.Changes(before, connection, secretChanged: patch.ClientSecret is not null);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ConnectionUpdate,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success,
            changes.Count == 0 ? "No changes." : "Changed: " + string.Join(", ", changes) + "."));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return OperationResult<ConnectionView>.Invalid("name", ConnectionForms.NameTakenMessage(settings.Name));
        }

        applicationCache.Invalidate(connectionId);
        return OperationResult.Success(forms.ToView(connection, await ConnectionForms.CountRotationsAsync(db, connectionId, cancellationToken)));
    }
}
