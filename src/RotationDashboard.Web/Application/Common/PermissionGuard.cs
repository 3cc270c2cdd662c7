using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Application.Common;

/// <summary>Where a resource is, as a token's project/environment/path limits see it.</summary>
public sealed record ResourceLocation(Guid ProjectId, string Environment, string SecretPath);

/// <summary>
/// The one place a use case asks whether its caller holds a permission (a session's role as
/// <see cref="RolePermissions"/>, a token's scopes), and the one place a refusal is audited.
/// </summary>
public sealed class PermissionGuard(IAuditLog audit)
{
    /// <summary>
    /// Returns when <paramref name="caller"/> holds <paramref name="permission"/> at <paramref name="location"/> (null:
    /// anywhere); otherwise writes a <see cref="AuditOutcome.Denied"/> entry for <paramref name="auditAction"/> and throws.
    /// </summary>
    /// <param name="verb">What was refused, for the message: "create rotations".</param>
    /// <exception cref="ForbiddenActionException">The caller may not.</exception>
    public async Task EnsureAsync(
        DashboardUser caller,
        string permission,
        ResourceLocation? location,
        string auditAction,
        string verb,
        AuditTarget target,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.May(permission, location?.ProjectId, location?.Environment, location?.SecretPath))
        {
            return;
        }

        var reason = caller.Denial(permission, verb, location is not null);
        await audit.WriteAsync(caller.Actor, auditAction, target, AuditOutcome.Denied, reason, cancellationToken);
        throw new ForbiddenActionException(reason);
    }
}
