using System.Security.Claims;
using RotationDashboard.Core.Security;

namespace RotationDashboard.Web.Security;

/// <summary>
/// A signed-in user's dashboard role as the permissions it grants, in the names API-token scopes use, so a use case
/// asks one question ("may this caller do X here?") whoever the caller is. Admin-only housekeeping (API tokens,
/// sessions) is not a permission a token can hold and stays <see cref="DashboardUser.EnsureAdmin"/>.
/// </summary>
public static class RolePermissions
{
    public static IReadOnlySet<string> Admin { get; } = new HashSet<string>(ApiPermissions.All, StringComparer.Ordinal);

    /// <summary>Configuration and status, never a secret value or a generated credential.</summary>
    public static IReadOnlySet<string> Viewer { get; } =
        new HashSet<string>([ApiPermissions.RotationsRead, ApiPermissions.ConnectionsRead], StringComparer.Ordinal);

    /// <summary>The permissions of a session's role; a signed-in user without the Admin role is a Viewer.</summary>
    public static IReadOnlySet<string> Of(ClaimsPrincipal session) => Of(session.HasClaim(DashboardRoles.ClaimType, DashboardRoles.Admin));

    public static IReadOnlySet<string> Of(bool isAdmin) => isAdmin ? Admin : Viewer;
}
