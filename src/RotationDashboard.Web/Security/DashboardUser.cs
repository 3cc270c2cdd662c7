using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using RotationDashboard.Core.Audit;

namespace RotationDashboard.Web.Security;

/// <summary>The signed-in user or API token behind a request, as the audit log and the services see it.</summary>
public sealed record DashboardUser(Actor Actor, bool IsAdmin, ClaimsPrincipal Principal)
{
    public const string TokenNameClaim = "rotation_dashboard/token_name";

    public static DashboardUser FromPrincipal(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            throw new UnauthorizedAccessException("Sign in first.");
        }

        var tokenName = principal.FindFirstValue(TokenNameClaim);
        var actor = tokenName is not null
            ? Actor.Token(tokenName)
            : Actor.User(UserName(principal));
        // API tokens reach the services only through endpoints that already checked the token's permission for that
        // operation (RequirePermission), so the services' Admin check passes them.
        var isAdmin = tokenName is not null || principal.HasClaim(DashboardRoles.ClaimType, DashboardRoles.Admin);
        return new DashboardUser(actor, isAdmin, principal);
    }

    /// <summary>
    /// How audit entries name a person: the verified e-mail address, else the identity provider's subject (<c>sub</c>).
    /// An unverified address is never used: anyone can sign up with someone else's.
    /// </summary>
    public static string UserName(ClaimsPrincipal principal) =>
        RoleAssignment.VerifiedEmail(principal) ?? principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";

    /// <summary>Server-side role check for actions a Viewer may not take (not only hidden buttons).</summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public void EnsureAdmin(string action)
    {
        if (!IsAdmin)
        {
            throw new ForbiddenActionException($"Only an Admin may {action}.");
        }
    }
}

public sealed class ForbiddenActionException(string message) : Exception(message);

/// <summary>Gives Blazor components the current <see cref="DashboardUser"/> from the circuit's authentication state.</summary>
public sealed class CurrentUserAccessor(AuthenticationStateProvider authenticationState)
{
    public async Task<DashboardUser> GetAsync()
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        return DashboardUser.FromPrincipal(state.User);
    }
}
