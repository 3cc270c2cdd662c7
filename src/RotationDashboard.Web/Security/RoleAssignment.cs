using System.Security.Claims;

namespace RotationDashboard.Web.Security;

/// <summary>Decides who may sign in and with which role, from the validated ID token's claims.</summary>
public static class RoleAssignment
{
    public const string EmailVerifiedClaim = "email_verified";

    public static SignInDecision Decide(SignInOptions options, ClaimsPrincipal user)
    {
        // Anyone can sign up with someone else's address; only an address the identity provider verified counts.
        var claimedEmail = user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("email");
        var verified = string.Equals(user.FindFirstValue(EmailVerifiedClaim), "true", StringComparison.OrdinalIgnoreCase);
        var email = verified ? claimedEmail : null;

        if (options.AllowedEmailDomains.Count > 0)
        {
            if (claimedEmail is not null && !verified)
            {
                return SignInDecision.Refuse(AccessDeniedReasons.EmailNotVerified);
            }

            var domain = email is null ? null : email[(email.LastIndexOf('@') + 1)..];
            if (domain is null || !options.AllowedEmailDomains.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                return SignInDecision.Refuse(AccessDeniedReasons.EmailDomainNotAllowed);
            }
        }

        var isAdmin =
            (email is not null && options.AdminEmails.Contains(email, StringComparer.OrdinalIgnoreCase)) ||
            (!string.IsNullOrEmpty(options.AdminRoleClaim) && !string.IsNullOrEmpty(options.AdminRoleValue) &&
             user.FindAll(options.AdminRoleClaim).Any(c => string.Equals(c.Value, options.AdminRoleValue, StringComparison.Ordinal)));

        return SignInDecision.Allow(isAdmin ? DashboardRoles.Admin : DashboardRoles.Viewer);
    }
}

public sealed record SignInDecision(bool Allowed, string? Role, AccessDeniedReasons.Reason? Refusal)
{
    /// <summary>Why the sign-in was refused, in the words the access-denied page shows.</summary>
    public string? Reason => Refusal?.Text;

    public static SignInDecision Allow(string role) => new(true, role, null);
    public static SignInDecision Refuse(AccessDeniedReasons.Reason reason) => new(false, null, reason);
}
