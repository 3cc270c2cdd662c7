using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>Creates an Auth0 connection (UI form and API), once Auth0 accepts its credentials.</summary>
public sealed partial class CreateConnection(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    ConnectionForms forms,
    ConnectionTester tester,
    PermissionGuard guard,
    TimeProvider timeProvider,
    ILogger<CreateConnection> logger) : ICreateConnection
{
    /// <summary>
    /// Creates a connection (audited as <c>connection.create</c>) once Auth0 issued a Management API token for its
    /// credentials (Infisical's rule): credentials Auth0 refuses, or a tenant it cannot reach, are a validation error
    /// and nothing is saved. The test's result (granted and missing scopes) is recorded with the connection.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks connections:write.</exception>
    public async Task<OperationResult<ConnectionView>> ExecuteAsync(
        ConnectionInput input,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await guard.EnsureAsync(user, ApiPermissions.ConnectionsWrite, null, AuditActions.ConnectionCreate, "create connections",
            ConnectionForms.NewConnectionTarget(input.Name), cancellationToken);

        var (settings, errors) = forms.ToSettings(input, requireClientSecret: true, secretGiven: input.ClientSecret is not null);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await ConnectionForms.CheckNameIsFreeAsync(db, settings.Name, exceptId: null, errors, cancellationToken);
        await forms.CheckOutboundAddressAsync(settings, errors, cancellationToken);
        if (errors.HasErrors)
        {
            return OperationResult<ConnectionView>.Invalid(errors);
        }

        var now = timeProvider.GetUtcNow();
        var connection = Connection.Create(settings, input.ClientSecret!, protector, now);
        if (await tester.TestBeforeSavingAsync(connection, cancellationToken) is { } refused)
        {
            return OperationResult<ConnectionView>.Invalid(refused);
        }

        db.Connections.Add(connection);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ConnectionCreate,
            AuditTarget.Connection(connection.Id, connection.Name), AuditOutcome.Success, ConnectionForms.Describe(connection)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return OperationResult<ConnectionView>.Invalid("name", ConnectionForms.NameTakenMessage(settings.Name));
        }

        LogCreated(logger, connection.Id, connection.Name, user.Actor.ToString());
        return OperationResult.Success(forms.ToView(connection, rotationCount: 0));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} ({Name}) created by {Actor}")]
    private static partial void LogCreated(ILogger logger, Guid connectionId, string name, string actor);
}
