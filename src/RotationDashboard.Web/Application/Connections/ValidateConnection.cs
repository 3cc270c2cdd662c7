using Microsoft.EntityFrameworkCore;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>"Test connection" on a saved connection (UI and API validate): the result is recorded and audited.</summary>
public sealed partial class ValidateConnection(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    IAuth0ConnectionResolver resolver,
    ConnectionTester tester,
    PermissionGuard guard,
    ILogger<ValidateConnection> logger) : IValidateConnection
{
    /// <summary>
    /// Tests the stored credentials with a token request and records the result on the connection (audited as
    /// <c>connection.validate</c>, with the outcome and the scrubbed message).
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks connections:write.</exception>
    public async Task<OperationResult<ConnectionTestResult>> ExecuteAsync(
        Guid connectionId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        await guard.EnsureAsync(user, ApiPermissions.ConnectionsWrite, null, AuditActions.ConnectionValidate, "test connections",
            AuditTarget.Connection(connectionId, ""), cancellationToken);

        ResolvedConnection resolved;
        try
        {
            resolved = await resolver.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionNotFoundException)
        {
            return OperationResult<ConnectionTestResult>.NotFound("The connection does not exist.");
        }

        var result = await tester.TestAsync(resolved.Settings, resolved.Connection.IsSandbox, cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return OperationResult<ConnectionTestResult>.NotFound("The connection does not exist.");
        }

        var scopes = result.Outcome switch
        {
            TokenCheckOutcome.Valid => result.GrantedScopes,
            TokenCheckOutcome.InvalidCredential or TokenCheckOutcome.AuthenticatedNotAuthorized => [],
            _ => null, // no verdict: keep what the last real answer said
        };
        connection.RecordValidation(result.Ok, result.Message, scopes, result.TestedAt);
        db.AuditEvents.Add(AuditEvent.Record(result.TestedAt, user.Actor, AuditActions.ConnectionValidate,
            AuditTarget.Connection(connection.Id, connection.Name), result.Ok ? AuditOutcome.Success : AuditOutcome.Failure,
            result.Message));
        await db.SaveChangesAsync(cancellationToken);
        LogValidated(logger, connection.Id, connection.Name, result.Outcome, result.Ok);
        return OperationResult.Success(result);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} ({Name}) tested: {Outcome}, ok {Ok}")]
    private static partial void LogValidated(ILogger logger, Guid connectionId, string name, TokenCheckOutcome outcome, bool ok);
}
