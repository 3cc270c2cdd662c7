using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Core.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>Deletes a rotation and its run history (UI dialog and API DELETE); the engine holds the lease and revokes.</summary>
public sealed class DeleteRotation(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    RotationEngine engine,
    PermissionGuard guard,
    RotationQueries queries,
    IAuditLog audit,
    TimeProvider timeProvider) : IDeleteRotation
{
    /// <summary>
    /// Deletes the rotation and its run history. With <paramref name="revokeGeneratedCredentials"/> its credentials stop
    /// working first (see <see cref="CredentialRevocation"/>); if that fails nothing is deleted. With
    /// <paramref name="deleteSecrets"/> the mapped secrets go too; otherwise they are released for editing by hand.
    /// Returns the rotation as it was.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:write there.</exception>
    public async Task<OperationResult<RotationView>> ExecuteAsync(
        Guid id,
        bool revokeGeneratedCredentials,
        bool deleteSecrets,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        var view = await queries.GetAsync(id, cancellationToken);
        await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, RotationLocation.Of(view), AuditActions.RotationDelete, "delete rotations",
            new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), view?.Name), cancellationToken);
        if (view is null)
        {
            return OperationResult<RotationView>.NotFound("The rotation does not exist.");
        }

        var target = AuditTarget.Rotation(id, view.Name);
        var deletion = await engine.DeleteAsync(id, revokeGeneratedCredentials,
            (revoked, ct) => RemoveAsync(id, revokeGeneratedCredentials, revoked, deleteSecrets, user, target, ct), cancellationToken);
        switch (deletion.Status)
        {
            case RotationDeletionStatus.Deleted:
                return OperationResult.Success(view);
            case RotationDeletionStatus.NotFound:
                return OperationResult<RotationView>.NotFound(deletion.Detail);
            case RotationDeletionStatus.RevocationFailed:
                await audit.WriteAsync(user.Actor, AuditActions.RotationDelete, target, AuditOutcome.Failure,
                    $"Revoking the generated credentials failed; nothing was deleted: {deletion.Detail}", cancellationToken);
                return OperationResult<RotationView>.Conflict($"The generated credentials could not be revoked in Auth0, so nothing was deleted: {deletion.Detail}");
            default:
                return OperationResult<RotationView>.Conflict(deletion.Detail);
        }
    }

    private async Task RemoveAsync(
        Guid id,
        bool revokeGeneratedCredentials,
        string revoked,
        bool deleteSecrets,
        DashboardUser user,
        AuditTarget target,
        CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.SingleAsync(r => r.Id == id, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var secrets = await db.Secrets.Where(x => x.OwnerRotationId == id).ToListAsync(cancellationToken);
        foreach (var secret in secrets)
        {
            if (deleteSecrets)
            {
                db.Secrets.Remove(secret);
                db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.SecretDelete, AuditTarget.Secret(secret.Id, secret.Key), AuditOutcome.Success,
                    $"Deleted with rotation \"{rotation.Name}\"."));
            }
            else
            {
                secret.ReleaseFromRotation(id, now);
                db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.SecretRelease, AuditTarget.Secret(secret.Id, secret.Key), AuditOutcome.Success,
                    $"No longer managed by rotation \"{rotation.Name}\" (deleted); editable by hand."));
            }
        }

        rotation.RecordDeletion();
        db.Rotations.Remove(rotation);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.RotationDelete, target, AuditOutcome.Success,
            $"Credentials {(revokeGeneratedCredentials ? "revoked" + revoked : "left valid")}; {secrets.Count} mapped secret(s) {(deleteSecrets ? "deleted" : "released")}."));
        await db.SaveChangesAsync(cancellationToken);
    }
}
