using System.ComponentModel.DataAnnotations;

namespace RotationDashboard.Web.Security;

/// <summary>Admin sign-in through Auth0 (or the sandbox tenant in Development). Section "Authentication".</summary>
public sealed class SignInOptions
{
    public const string SectionName = "Authentication";

    /// <summary>
    /// Sign in through the built-in sandbox tenant instead of a real Auth0 tenant. Defaults to on in Development
    /// when the sandbox is enabled; the Auth0 settings below are then not needed.
    /// </summary>
    public bool UseSandbox { get; set; }

    /// <summary>Auth0 tenant domain (e.g. my-tenant.eu.auth0.com) or custom domain.</summary>
    public string? Domain { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The application admins sign in with (the sandbox's own when signing in there): never offered for rotation.</summary>
    public string? SignInClientId => UseSandbox ? ClientId ?? Hosting.SandboxIntegration.LoginClientId : ClientId;

    public string? ClientSecret { get; set; }

    [Required]
    public string CallbackPath { get; set; } = "/signin-auth0";

    /// <summary>E-mail addresses that get the Admin role.</summary>
    public List<string> AdminEmails { get; set; } = [];

    /// <summary>A claim (from /userinfo, e.g. a namespaced roles claim) that grants Admin when it has <see cref="AdminRoleValue"/>.</summary>
    public string? AdminRoleClaim { get; set; }

    public string? AdminRoleValue { get; set; }

    /// <summary>When not empty, only users whose e-mail domain is listed may sign in.</summary>
    public List<string> AllowedEmailDomains { get; set; } = [];

    [Range(5, 24 * 60)]
    public int SessionMinutes { get; set; } = 8 * 60;
}
