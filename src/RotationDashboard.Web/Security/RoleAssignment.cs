using System.Security.Claims;

namespace RotationDashboard.Web.Security;

/// <summary>
/// Decides who may sign in and with which role, from the session's claims (taken from the validated ID token). Runs at
/// sign-in and again on every request and in open circuits, so configuration changes reach live sessions.
/// </summary>
public static class RoleAssignment
{
    public const string EmailVerifiedClaim = "email_verified";

    public static SignInDecision Decide(SignInOptions options, ClaimsPrincipal user)
    {
        var claimedEmail = ClaimedEmail(user);
        // Anyone can sign up with someone else's address; only an address the identity provider verified counts.
        var email = IsEmailVerified(user) ? claimedEmail : null;
        var unverifiedRefusal = claimedEmail is not null && email is null ? AccessDeniedReasons.EmailNotVerified : null;

        if (options.AllowedEmailDomains.Any(d => !string.IsNullOrWhiteSpace(d)))
        {
            if (unverifiedRefusal is not null)
            {
                return SignInDecision.Refuse(unverifiedRefusal);
            }

            var domain = email is null ? null : email[(email.LastIndexOf('@') + 1)..];
            if (domain is null || !options.AllowedEmailDomains.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                return SignInDecision.Refuse(AccessDeniedReasons.EmailDomainNotAllowed);
            }
        }

        if (IsListed(email, options.AdminEmails) || HasRoleClaim(user, options.AdminRoleClaim, options.AdminRoleValue))
        {
            return SignInDecision.Allow(DashboardRoles.Admin);
        }

        if (options.HasViewerList &&
            !IsListed(email, options.ViewerEmails) && !HasRoleClaim(user, options.ViewerRoleClaim, options.ViewerRoleValue))
        {
            return SignInDecision.Refuse(unverifiedRefusal ?? AccessDeniedReasons.NotInvited);
        }

        // Without any restriction (only allowed in Development) everyone else is a Viewer.
        return SignInDecision.Allow(DashboardRoles.Viewer);
    }

    /// <summary>
    /// True only for a single <c>email_verified</c> claim that was a JSON boolean <c>true</c> in the ID token. OpenID
    /// Connect defines the claim as a boolean and Auth0 sends one; a string ("true", "True") or an array is not what the
    /// provider's verification says, so it counts as unverified.
    /// </summary>
    public static bool IsEmailVerified(ClaimsPrincipal user)
    {
        var claims = user.FindAll(EmailVerifiedClaim).ToList();
        return claims is [{ ValueType: ClaimValueTypes.Boolean } claim] &&
               string.Equals(claim.Value, "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The single e-mail address the token claims; none when it claims several.</summary>
    public static string? ClaimedEmail(ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Email).ToList() is [var only] && !string.IsNullOrWhiteSpace(only.Value) ? only.Value : null;

    /// <summary>The verified e-mail address, or none.</summary>
    public static string? VerifiedEmail(ClaimsPrincipal user) => IsEmailVerified(user) ? ClaimedEmail(user) : null;

    private static bool IsListed(string? email, List<string> addresses) =>
        email is not null && addresses.Contains(email, StringComparer.OrdinalIgnoreCase);

    private static bool HasRoleClaim(ClaimsPrincipal user, string? claimType, string? value) =>
        !string.IsNullOrEmpty(claimType) && !string.IsNullOrEmpty(value) &&
        user.FindAll(claimType).Any(c => c.ValueType == ClaimValueTypes.String && string.Equals(c.Value, value, StringComparison.Ordinal));
}

public sealed record SignInDecision(bool Allowed, string? Role, AccessDeniedReasons.Reason? Refusal)
{
    /// <summary>Why the sign-in was refused, in the words the access-denied page shows.</summary>
    public string? Reason => Refusal?.Text;

    public static SignInDecision Allow(string role) => new(true, role, null);
    public static SignInDecision Refuse(AccessDeniedReasons.Reason reason) => new(false, null, reason);
}
