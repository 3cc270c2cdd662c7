using System.Security.Claims;

namespace RotationDashboard.Web.Security;

/// <summary>Decides who may sign in and with which role, from the claims /userinfo returned.</summary>
public static class RoleAssignment
{
    public static SignInDecision Decide(SignInOptions options, ClaimsPrincipal user)
    {
        var email = user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("email");

        if (options.AllowedEmailDomains.Count > 0)
        {
            var domain = email is null ? null : email[(email.LastIndexOf('@') + 1)..];
            if (domain is null || !options.AllowedEmailDomains.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                return SignInDecision.Refuse("Your e-mail domain is not allowed to use this dashboard.");
            }
        }

        var isAdmin =
            (email is not null && options.AdminEmails.Contains(email, StringComparer.OrdinalIgnoreCase)) ||
            (!string.IsNullOrEmpty(options.AdminRoleClaim) && !string.IsNullOrEmpty(options.AdminRoleValue) &&
             user.FindAll(options.AdminRoleClaim).Any(c => string.Equals(c.Value, options.AdminRoleValue, StringComparison.Ordinal)));

        return SignInDecision.Allow(isAdmin ? DashboardRoles.Admin : DashboardRoles.Viewer);
    }
}

public sealed record SignInDecision(bool Allowed, string? Role, string? Reason)
{
    public static SignInDecision Allow(string role) => new(true, role, null);
    public static SignInDecision Refuse(string reason) => new(false, null, reason);
}
