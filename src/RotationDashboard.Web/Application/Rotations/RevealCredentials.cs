using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>Reveals a rotation's generated credentials (UI and API): checked and audited, values never logged.</summary>
public sealed class RevealCredentials(PermissionGuard guard, RotationQueries queries, IAuditLog audit) : IRevealCredentials
{
    /// <summary>
    /// Reveals the generated credentials (rotations:reveal, audited as <c>rotation.reveal-credentials</c> before the
    /// values are returned): the slots with CURRENT/PREVIOUS labels and whether Auth0 still accepts each, plus NEXT while
    /// a run is under way.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:reveal there.</exception>
    public async Task<OperationResult<GeneratedCredentialsView>> ExecuteAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        var location = await queries.GetAsync(id, cancellationToken);
        await guard.EnsureAsync(user, ApiPermissions.RotationsReveal, RotationLocation.Of(location),
            AuditActions.RotationRevealCredentials, "reveal generated credentials", new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), location?.Name), cancellationToken);
        if (await queries.ReadCredentialsAsync(id, cancellationToken) is not { } found)
        {
            return OperationResult<GeneratedCredentialsView>.NotFound("The rotation does not exist.");
        }

        var (view, name) = found;
        var revealed = view.GeneratedCredentials.Select(v => $"slot {v.SlotIndex} ({v.Stage.ToString().ToUpperInvariant()})").ToList();
        if (view.Next is not null)
        {
            revealed.Add("NEXT");
        }

        await audit.WriteAsync(user.Actor, AuditActions.RotationRevealCredentials, AuditTarget.Rotation(id, name), AuditOutcome.Success,
            revealed.Count == 0 ? "Nothing generated yet." : "Revealed " + string.Join(", ", revealed) + ".", cancellationToken);
        return OperationResult.Success(view);
    }
}
