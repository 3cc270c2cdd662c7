namespace RotationDashboard.Web.Security;

/// <summary>
/// Why the access-denied page is shown: <c>/account/access-denied?reason=&lt;code&gt;</c>. The page shows only these fixed
/// texts, never text from the query, so a crafted link cannot put words in the dashboard's mouth.
/// </summary>
public static class AccessDeniedReasons
{
    public sealed record Reason(string Code, string Text);

    public static readonly Reason Forbidden = new("forbidden", "You do not have permission to do that.");

    public static readonly Reason EmailNotVerified = new("email-not-verified",
        "Your e-mail address is not verified. Verify it with the identity provider, then sign in again.");

    public static readonly Reason EmailDomainNotAllowed = new("email-domain-not-allowed",
        "Your e-mail domain is not allowed to use this dashboard.");

    public static readonly Reason NotInvited = new("not-invited",
        "Your account is not allowed to use this dashboard. Ask an admin to add you.");

    public static readonly Reason SignInFailed = new("sign-in-failed", "Sign-in failed. Please try again.");

    public static IReadOnlyList<Reason> All { get; } = [Forbidden, EmailNotVerified, EmailDomainNotAllowed, NotInvited, SignInFailed];

    /// <summary>The page address for a reason.</summary>
    public static string PathFor(Reason reason) => $"{AuthenticationSetup.AccessDeniedPath}?reason={reason.Code}";

    /// <summary>
    /// The reason for a query value: a code, or (as sign-in refusals were sent before codes) exactly one of the fixed
    /// texts. Anything else is a failed sign-in when it came with a value, the generic refusal without one.
    /// </summary>
    public static Reason FromQuery(string? value) =>
        string.IsNullOrEmpty(value)
            ? Forbidden
            : All.FirstOrDefault(r => string.Equals(r.Code, value, StringComparison.Ordinal) || string.Equals(r.Text, value, StringComparison.Ordinal))
              ?? SignInFailed;
}
