using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Services.ApiTokens;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Security;

/// <summary>Cookie sessions signed in through Auth0's authorization-code flow with PKCE (the generic OAuth handler).</summary>
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
        services.AddSingleton<IAuthorizationHandler, ApiPermissionHandler>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiOrCookieScheme;
                // Without a bearer token the cookie scheme challenges: pages go to the sign-in endpoint (which starts
                // the Auth0 flow), APIs get 401.
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
                options.Cookie.SameSite = SameSiteMode.Lax; // the OAuth callback is a top-level cross-site redirect
                options.Cookie.SecurePolicy = builder.Environment.IsDevelopment()
                    ? CookieSecurePolicy.SameAsRequest
                    : CookieSecurePolicy.Always;
                options.SlidingExpiration = true;
                options.LoginPath = SignInPath;
                options.AccessDeniedPath = AccessDeniedPath;
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            })
            .AddOAuth(Auth0Scheme, _ => { });

        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<SignInOptions>>((cookie, signIn) =>
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(signIn.Value.SessionMinutes));
        services.AddOptions<OAuthOptions>(Auth0Scheme)
            .Configure<IOptions<SignInOptions>, IHttpClientFactory, IHostEnvironment>(ConfigureAuth0);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(DashboardPolicies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(DashboardPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireClaim(DashboardRoles.ClaimType, DashboardRoles.Admin))
            .AddApiPermissionPolicies();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>The tenant the browser signs in at: the real Auth0 domain, or the built-in sandbox.</summary>
    public static SignInTenant ResolveTenant(SignInOptions options) => options.UseSandbox
        ? new SignInTenant(
            BrowserBase: SandboxIntegration.MountPath + "/",
            BackchannelBase: $"http://{LocalServerRedirectHandler.PlaceholderHost}{SandboxIntegration.MountPath}/",
            ClientId: options.SignInClientId!,
            ClientSecret: options.ClientSecret ?? SandboxIntegration.LoginClientSecret)
        : new SignInTenant(
            BrowserBase: NormalizeDomain(options.Domain!),
            BackchannelBase: NormalizeDomain(options.Domain!),
            ClientId: options.ClientId!,
            ClientSecret: options.ClientSecret!);

    private static string NormalizeDomain(string domain)
    {
        var withScheme = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain;
        return withScheme.TrimEnd('/') + "/";
    }

    private static void ConfigureAuth0(OAuthOptions oauth, IOptions<SignInOptions> signInOptions, IHttpClientFactory httpClients, IHostEnvironment environment)
    {
        var signIn = signInOptions.Value;
        var tenant = ResolveTenant(signIn);

        oauth.ClientId = tenant.ClientId;
        oauth.ClientSecret = tenant.ClientSecret;
        oauth.CallbackPath = signIn.CallbackPath;
        oauth.AuthorizationEndpoint = tenant.BrowserBase + "authorize";
        oauth.TokenEndpoint = tenant.BackchannelBase + "oauth/token";
        oauth.UserInformationEndpoint = tenant.BackchannelBase + "userinfo";
        oauth.UsePkce = true;
        oauth.SaveTokens = false;
        oauth.Scope.Clear();
        oauth.Scope.Add("openid");
        oauth.Scope.Add("profile");
        oauth.Scope.Add("email");
        oauth.Backchannel = httpClients.CreateClient(Auth0Scheme);
        // Development runs on plain http: a Secure correlation cookie would never come back from the callback.
        oauth.CorrelationCookie.SameSite = SameSiteMode.Lax;
        oauth.CorrelationCookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        oauth.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "sub");
        oauth.ClaimActions.MapJsonKey(ClaimTypes.Name, "name");
        oauth.ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
        oauth.ClaimActions.MapJsonKey(RoleAssignment.EmailVerifiedClaim, "email_verified");
        oauth.ClaimActions.MapJsonKey("picture", "picture");
        if (!string.IsNullOrEmpty(signIn.AdminRoleClaim))
        {
            oauth.ClaimActions.MapJsonKey(signIn.AdminRoleClaim, signIn.AdminRoleClaim);
        }

        oauth.Events.OnCreatingTicket = async context =>
        {
            // /userinfo is limited to 5 calls a minute per user, so it is called once, here, at sign-in.
            using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
            using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
            if (!response.IsSuccessStatusCode)
            {
                throw new SignInRefusedException($"The identity provider's user information endpoint answered {(int)response.StatusCode}.");
            }
            using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
            context.RunClaimActions(user.RootElement);

            var decision = RoleAssignment.Decide(signIn, context.Principal!);
            var audit = context.HttpContext.RequestServices.GetRequiredService<IAuditLog>();
            var who = DashboardUser.FromPrincipal(context.Principal!).Actor;
            if (!decision.Allowed)
            {
                await audit.WriteAsync(who, AuditActions.SignIn, SessionTarget, AuditOutcome.Denied, decision.Reason, context.HttpContext.RequestAborted);
                // Throwing ends the remote sign-in as a failure (no session), which OnRemoteFailure turns into the access-denied page.
                throw new SignInRefusedException(decision.Reason!);
            }
            context.Identity!.AddClaim(new Claim(DashboardRoles.ClaimType, decision.Role!));
            context.Identity.AddClaim(new Claim(ClaimTypes.Role, decision.Role!));
            await audit.WriteAsync(who, AuditActions.SignIn, SessionTarget, AuditOutcome.Success, $"Signed in as {decision.Role}.", context.HttpContext.RequestAborted);
        };
        oauth.Events.OnRemoteFailure = context =>
        {
            // Only our own refusal texts are shown; other failures (correlation, provider errors) get a generic message.
            var reason = context.Failure is SignInRefusedException refused ? refused.Message : "Sign-in failed. Please try again.";
            context.Response.Redirect($"{AccessDeniedPath}?reason={Uri.EscapeDataString(reason)}");
            context.HandleResponse();
            return Task.CompletedTask;
        };
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
public sealed class SignInRefusedException(string message) : Exception(message);

public sealed record SignInTenant(string BrowserBase, string BackchannelBase, string ClientId, string ClientSecret);

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
