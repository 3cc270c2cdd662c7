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

    /// <summary>A claim of the ID token (e.g. a namespaced roles claim) that grants Admin when it has <see cref="AdminRoleValue"/>.</summary>
    public string? AdminRoleClaim { get; set; }

    public string? AdminRoleValue { get; set; }

    /// <summary>When not empty, only users whose verified e-mail domain is listed may sign in.</summary>
    public List<string> AllowedEmailDomains { get; set; } = [];

    /// <summary>When not empty (or with <see cref="ViewerRoleClaim"/>), only admins and these verified addresses may sign in.</summary>
    public List<string> ViewerEmails { get; set; } = [];

    /// <summary>A claim of the ID token that lets a user sign in as a Viewer when it has <see cref="ViewerRoleValue"/>.</summary>
    public string? ViewerRoleClaim { get; set; }

    public string? ViewerRoleValue { get; set; }

    /// <summary>Sliding lifetime: a session unused this long ends.</summary>
    [Range(5, 24 * 60)]
    public int SessionMinutes { get; set; } = 8 * 60;

    /// <summary>Absolute lifetime: a session ends this long after sign-in however busy it is.</summary>
    [Range(1, 7 * 24)]
    public int AbsoluteSessionHours { get; set; } = 12;

    /// <summary>Whether an explicit viewer list or role claim decides who, besides the admins, may sign in.</summary>
    public bool HasViewerList => ViewerEmails.Any(e => !string.IsNullOrWhiteSpace(e)) || !string.IsNullOrWhiteSpace(ViewerRoleClaim);

    /// <summary>Whether sign-in is limited to known users rather than everyone the identity provider authenticates.</summary>
    public bool RestrictsWhoMaySignIn => HasViewerList || AllowedEmailDomains.Any(d => !string.IsNullOrWhiteSpace(d));
}
