using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security.Sessions;
using RotationDashboard.Web.Services.ApiTokens;

namespace RotationDashboard.Web.Security;

/// <summary>Cookie sessions signed in through Auth0 with OpenID Connect (authorization code with PKCE, validated ID token).</summary>
public static class AuthenticationSetup
{
    public const string Auth0Scheme = "Auth0";

    /// <summary>Bearer API tokens when an Authorization header is sent, the cookie session otherwise.</summary>
    public const string ApiOrCookieScheme = "ApiOrCookie";
    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string AccessDeniedPath = "/account/access-denied";

    public static WebApplicationBuilder AddDashboardSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignInOptions>()
            .Bind(builder.Configuration.GetSection(SignInOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();

        services.AddTransient<LocalServerRedirectHandler>();
        services.AddHttpClient(Auth0Scheme).AddHttpMessageHandler<LocalServerRedirectHandler>();

        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<IApiTokenAdministration>(sp => sp.GetRequiredService<ApiTokenService>());
        services.AddSingleton<Services.MachineIdentities.MachineIdentityService>();
        services.AddSingleton<Services.MachineIdentities.IMachineIdentityAdministration>(sp => sp.GetRequiredService<Services.MachineIdentities.MachineIdentityService>());
        services.AddSingleton<IAuthorizationHandler, ApiPermissionHandler>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiOrCookieScheme;
                // Without a bearer token the cookie scheme challenges: pages go to the sign-in endpoint (which starts
                // the OpenID Connect flow), APIs get 401.
                options.DefaultChallengeScheme = ApiOrCookieScheme;
                options.DefaultSignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddPolicyScheme(ApiOrCookieScheme, "API token or cookie", options =>
                options.ForwardDefaultSelector = context => ApiTokenAuthenticationHandler.IsApiTokenRequest(context.Request)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<ApiTokenAuthenticationOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName,
                options => options.BootstrapToken = builder.Configuration["Security:BootstrapToken"])
            .AddCookie(options =>
            {
                options.Cookie.Name = "rd.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax; // the OIDC callback is a top-level cross-site redirect
                options.Cookie.SecurePolicy = builder.Environment.IsDevelopment()
                    ? CookieSecurePolicy.SameAsRequest
                    : CookieSecurePolicy.Always;
                options.SlidingExpiration = true;
                options.LoginPath = SignInPath;
                options.AccessDeniedPath = AccessDeniedPath;
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
                options.Events.OnValidatePrincipal = SessionValidation.ValidatePrincipalAsync;
            })
            .AddOpenIdConnect(Auth0Scheme, _ => { });

        services.AddSingleton<DatabaseTicketStore>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<ISessionAdministration>(sp => sp.GetRequiredService<SessionService>());
        services.AddScoped<AuthenticationStateProvider, SessionRevalidatingAuthenticationStateProvider>();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<SignInOptions>, DatabaseTicketStore>((cookie, signIn, store) =>
            {
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(signIn.Value.SessionMinutes);
                // Server-side sessions: sign-out and revocation end every copy of the cookie.
                cookie.SessionStore = store;
            });
        services.AddOptions<OpenIdConnectOptions>(Auth0Scheme)
            .Configure<IOptions<SignInOptions>, IOptions<SandboxIntegrationOptions>, IHttpClientFactory, IHostEnvironment>(OpenIdConnectSignIn.Configure);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(DashboardPolicies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(DashboardPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireClaim(DashboardRoles.ClaimType, DashboardRoles.Admin))
            .AddApiPermissionPolicies();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>The tenant admins sign in at: the real Auth0 domain, or the built-in sandbox.</summary>
    /// <param name="sandboxPublicBase">The sandbox's <see cref="SandboxIntegrationOptions.PublicBase"/>, when configured.</param>
    public static SignInTenant ResolveTenant(SignInOptions options, string? sandboxPublicBase) => options.UseSandbox
        ? new SignInTenant(
            Authority: $"http://{LocalServerRedirectHandler.PlaceholderHost}{SandboxIntegration.MountPath}/",
            ClientId: options.SignInClientId!,
            ClientSecret: options.ClientSecret ?? SandboxIntegration.LoginClientSecret,
            IsSandbox: true,
            PublicBase: sandboxPublicBase)
        : new SignInTenant(
            Authority: Auth0Authority(options.Domain!),
            ClientId: options.ClientId!,
            ClientSecret: options.ClientSecret!,
            IsSandbox: false);

    /// <summary><c>https://{domain}/</c>: Auth0's issuer and the base of its discovery document.</summary>
    public static string Auth0Authority(string domain)
    {
        var withScheme = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain.Trim();
        return withScheme.TrimEnd('/') + "/";
    }

    /// <summary>What sign-in and sign-out audit entries are about: the dashboard session.</summary>
    public static AuditTarget SessionTarget { get; } = new(AuditTargetTypes.Session, "dashboard", "dashboard session");

    /// <summary>API and Blazor hub requests get a status code; page requests are redirected to sign in.</summary>
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/_blazor"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>A sign-in the dashboard refuses (e.g. e-mail domain not allowed); its message is shown to the user.</summary>
public sealed class SignInRefusedException(AccessDeniedReasons.Reason reason) : Exception(reason.Text)
{
    public AccessDeniedReasons.Reason Reason { get; } = reason;
}

/// <param name="Authority">
/// Issuer and discovery base the server talks to. For the sandbox it is the app's own placeholder address, which
/// the backchannel sends to the loopback address the app listens on.
/// </param>
/// <param name="PublicBase">
/// Sandbox only: the configured address browsers reach the app at (no trailing slash). When set, browser-facing
/// addresses are built from it instead of the request's Host header, which a demo server must not trust.
/// </param>
public sealed record SignInTenant(string Authority, string ClientId, string ClientSecret, bool IsSandbox, string? PublicBase = null)
{
    /// <summary>
    /// Where the browser goes (/authorize, /v2/logout). The sandbox lives inside this app, so the browser reaches it
    /// at the address it reached the app by, never at the loopback address of the backchannel.
    /// </summary>
    public string BrowserBase(HttpRequest request) => IsSandbox
        ? $"{AppBase(request)}{SandboxIntegration.MountPath}/"
        : Authority;

    /// <summary>The app's own address as the browser sees it (no trailing slash): the public base when configured.</summary>
    public string AppBase(HttpRequest request) =>
        PublicBase ?? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
}

internal sealed class SignInOptionsValidator(IHostEnvironment environment, IOptions<SandboxIntegrationOptions> sandbox)
    : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions options)
    {
        var failures = new List<string>();
        if (options.UseSandbox)
        {
            if (!sandbox.Value.Enabled)
            {
                failures.Add("Authentication:UseSandbox needs the sandbox tenant: set Sandbox:Enabled=true, or configure a real Auth0 tenant.");
            }
            else if (!environment.IsDevelopment() && !sandbox.Value.AllowOutsideDevelopment)
            {
                failures.Add("Authentication:UseSandbox is on outside Development. Sign-in through the sandbox tenant is for trying the product; " +
                             "configure a real Auth0 tenant, or set Sandbox:AllowOutsideDevelopment=true to accept the risk.");
            }
        }
        else
        {
            Require(options.Domain, "Domain");
            Require(options.ClientId, "ClientId");
            Require(options.ClientSecret, "ClientSecret");
            if (options.Domain is { } domain && domain.Contains("://", StringComparison.Ordinal) &&
                !domain.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Authentication:Domain must be a host name such as my-tenant.eu.auth0.com (or an https:// address): the " +
                             "OpenID Connect discovery document and signing keys are fetched over HTTPS only; plain HTTP is for the built-in sandbox.");
            }
        }
        if (!options.CallbackPath.StartsWith('/'))
        {
            failures.Add("Authentication:CallbackPath must start with '/'.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRoleClaim) != string.IsNullOrWhiteSpace(options.AdminRoleValue))
        {
            failures.Add("Authentication:AdminRoleClaim and Authentication:AdminRoleValue go together: set both (the claim and the value " +
                         "that grants Admin) or neither.");
        }

        if (string.IsNullOrWhiteSpace(options.ViewerRoleClaim) != string.IsNullOrWhiteSpace(options.ViewerRoleValue))
        {
            failures.Add("Authentication:ViewerRoleClaim and Authentication:ViewerRoleValue go together: set both (the claim and the value " +
                         "that lets a Viewer sign in) or neither.");
        }

        if (!environment.IsDevelopment() && !options.RestrictsWhoMaySignIn)
        {
            // Auth0 database connections allow public sign-up by default: "signed in" alone proves nothing.
            failures.Add("Sign-in is open to everyone the identity provider authenticates, and Auth0 database connections allow public " +
                         "sign-up by default. Outside Development restrict it: set Authentication:AllowedEmailDomains, " +
                         "Authentication:ViewerEmails, or Authentication:ViewerRoleClaim with Authentication:ViewerRoleValue " +
                         "(admins from Authentication:AdminEmails or the admin role claim may always sign in).");
        }

        if (options.AbsoluteSessionHours * 60 < options.SessionMinutes)
        {
            failures.Add("Authentication:AbsoluteSessionHours must not be shorter than Authentication:SessionMinutes (the sliding lifetime).");
        }

        if (!options.UseSandbox && options.AdminEmails.All(string.IsNullOrWhiteSpace) && string.IsNullOrWhiteSpace(options.AdminRoleClaim))
        {
            failures.Add("No admin is configured: set Authentication:AdminEmails (environment variable Authentication__AdminEmails__0) or " +
                         "Authentication:AdminRoleClaim with Authentication:AdminRoleValue. Without one, everyone who signs in is a read-only Viewer.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(string? value, string setting)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Missing setting Authentication:{setting} (environment variable Authentication__{setting}). " +
                             "It is required to sign in through Auth0 unless Authentication:UseSandbox is true in Development.");
            }
        }
    }
}
