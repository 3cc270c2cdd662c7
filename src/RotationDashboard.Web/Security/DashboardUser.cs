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
        // A token is never an Admin, the bootstrap token included: the services ask for its permissions (May).
        var isAdmin = tokenName is null && principal.HasClaim(DashboardRoles.ClaimType, DashboardRoles.Admin);
        return new DashboardUser(actor, isAdmin, principal);
    }

    /// <summary>
    /// How audit entries name a person: the verified e-mail address, else the identity provider's subject (<c>sub</c>).
    /// An unverified address is never used: anyone can sign up with someone else's.
    /// </summary>
    public static string UserName(ClaimsPrincipal principal) =>
        RoleAssignment.VerifiedEmail(principal) ?? principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";

    /// <summary>
    /// Whether this caller may do what <paramref name="permission"/> allows at a location (none: anywhere): a session
    /// what its role's <see cref="RolePermissions"/> grant, an API token what its scopes grant there.
    /// </summary>
    public bool May(string permission, Guid? projectId = null, string? environment = null, string? secretPath = null) =>
        Actor.Type == ActorType.Token
            ? ApiAccess.Allows(Principal, permission, projectId, environment, secretPath)
            : RolePermissions.Of(IsAdmin).Contains(permission);

    /// <summary>Server-side permission check for a service operation (a token's scopes, a session's role).</summary>
    /// <exception cref="ForbiddenActionException">The caller may not.</exception>
    public void EnsureMay(string permission, string action, Guid? projectId = null, string? environment = null, string? secretPath = null)
    {
        if (!May(permission, projectId, environment, secretPath))
        {
            throw new ForbiddenActionException(Denial(permission, action, projectId is not null));
        }
    }

    /// <summary>Why <see cref="EnsureMay"/> refuses: a role for sessions, the missing permission for tokens.</summary>
    public string Denial(string permission, string action, bool atLocation) => Actor.Type == ActorType.Token
        ? $"The API token may not {action}{(atLocation ? " there" : "")}: it needs {permission}{(atLocation ? " for that project and environment" : "")}."
        : $"Only an Admin may {action}.";

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
