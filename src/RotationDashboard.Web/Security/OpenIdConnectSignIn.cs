using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Security;

/// <summary>
/// The OpenID Connect handler set up for Auth0 as Auth0's ASP.NET Core SDK sets it up: authority
/// <c>https://{domain}/</c>, code flow with PKCE, ID token signature, issuer, audience, lifetime and nonce validated,
/// claims read from the ID token without inbound mapping, sign-out through <c>/v2/logout</c>.
/// </summary>
public static partial class OpenIdConnectSignIn
{
    /// <summary>Who a refused ID token belongs to: nobody we can trust, since the token was not valid.</summary>
    private static readonly Actor UnverifiedUser = Actor.User("unknown");

    public static void Configure(OpenIdConnectOptions oidc, IOptions<SignInOptions> signInOptions, IOptions<SandboxIntegrationOptions> sandbox,
        IHttpClientFactory httpClients, IHostEnvironment environment)
    {
        var signIn = signInOptions.Value;
        var tenant = AuthenticationSetup.ResolveTenant(signIn, sandbox.Value.PublicBase);

        oidc.Authority = tenant.Authority;
        // Plain-HTTP discovery only for the sandbox inside this app; a real tenant's keys must come over TLS.
        oidc.RequireHttpsMetadata = !tenant.IsSandbox;
        oidc.Backchannel = httpClients.CreateClient(AuthenticationSetup.Auth0Scheme);
        oidc.ClientId = tenant.ClientId;
        oidc.ClientSecret = tenant.ClientSecret;
        oidc.CallbackPath = signIn.CallbackPath;
        // Front-channel logout would let a plain link end a session (sign-out is a POST with antiforgery), and Auth0
        // does not call it: the handler then answers no remote sign-out path.
        oidc.RemoteSignOutPath = PathString.Empty;

        oidc.ResponseType = OpenIdConnectResponseType.Code;
        // The code comes back on a top-level GET, so the Lax correlation and nonce cookies are sent with it
        // (form_post would need SameSite=None cookies, which plain-HTTP development cannot set).
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.UsePkce = true;
        oidc.Scope.Clear();
        oidc.Scope.Add("openid");
        oidc.Scope.Add("profile");
        oidc.Scope.Add("email");

        // The dashboard calls no API as the user: tokens would only make the session cookie larger.
        oidc.SaveTokens = false;
        // The signed ID token already carries sub, name, email and email_verified; /userinfo would add an unsigned
        // copy of them and a call that Auth0 limits per user.
        oidc.GetClaimsFromUserInfoEndpoint = false;
        oidc.MapInboundClaims = false;
        oidc.TokenValidationParameters = new TokenValidationParameters
        {
            NameClaimType = "name",
            ValidateIssuer = true,
            // The sandbox's issuer is the loopback address it is called at, known only from its discovery document,
            // which the handler adds to the valid issuers.
            ValidIssuer = tenant.IsSandbox ? null : tenant.Authority,
            ValidateAudience = true,
            ValidAudience = tenant.ClientId,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };

        // Development runs on plain http: Secure cookies would never come back from the callback.
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        }

        oidc.Events.OnRedirectToIdentityProvider = context =>
        {
            // Discovery names the address the server reached the sandbox at; the browser needs the one it used.
            if (tenant.IsSandbox)
            {
                context.ProtocolMessage.IssuerAddress = tenant.BrowserBase(context.Request) + "authorize";
                // The handler builds the callback from the Host header; a configured public address wins. The code
                // redemption sends the same redirect_uri (the handler keeps the one sent here).
                if (tenant.PublicBase is not null)
                {
                    context.ProtocolMessage.RedirectUri = tenant.AppBase(context.Request) + context.Options.CallbackPath;
                }
            }
            return Task.CompletedTask;
        };
        // The current settings, not the ones at start-up: who may sign in can change while the app runs.
        oidc.Events.OnTokenValidated = context =>
            DecideSessionAsync(context, context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SignInOptions>>().CurrentValue);
        oidc.Events.OnAuthenticationFailed = AuditRefusedAnswerAsync;
        oidc.Events.OnRemoteFailure = context =>
        {
            // Only our own refusals are named; other failures (state, correlation, tokens) get the generic one.
            var reason = context.Failure is SignInRefusedException refused ? refused.Reason : AccessDeniedReasons.SignInFailed;
            context.Response.Redirect(AccessDeniedReasons.PathFor(reason));
            context.HandleResponse();
            return Task.CompletedTask;
        };
        oidc.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            // Auth0 ends its own session at /v2/logout and returns only to a URL in the application's Allowed Logout URLs.
            var request = context.Request;
            var returnPath = LocalReturnUrl.OrHome(context.Properties.RedirectUri, context.HttpContext);
            var returnTo = tenant.AppBase(request) + returnPath;
            context.Response.Redirect(
                $"{tenant.BrowserBase(request)}v2/logout?client_id={Uri.EscapeDataString(tenant.ClientId)}&returnTo={Uri.EscapeDataString(returnTo)}");
            context.HandleResponse();
            return Task.CompletedTask;
        };
    }

    /// <summary>Turns the validated ID token into the session's claims and role, or refuses the sign-in; both are audited.</summary>
    private static async Task DecideSessionAsync(TokenValidatedContext context, SignInOptions signIn)
    {
        var identity = SessionIdentity(context.Principal!, IdTokenSaysEmailVerified(context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken),
            signIn, context.Options.ClaimsIssuer ?? context.Scheme.Name);
        var user = new ClaimsPrincipal(identity);
        var decision = RoleAssignment.Decide(signIn, user);
        var audit = context.HttpContext.RequestServices.GetRequiredService<IAuditLog>();
        var who = DashboardUser.FromPrincipal(user).Actor;
        var cancellationToken = context.HttpContext.RequestAborted;
        if (!decision.Allowed)
        {
            await audit.WriteAsync(who, AuditActions.SignIn, AuthenticationSetup.SessionTarget, AuditOutcome.Denied,
                $"{decision.Reason} {DescribeSubject(user)}", cancellationToken);
            // A failed result ends the remote sign-in without a session; OnRemoteFailure shows the access-denied page.
            context.Fail(new SignInRefusedException(decision.Refusal!));
            return;
        }

        identity.AddClaim(new Claim(DashboardRoles.ClaimType, decision.Role!));
        identity.AddClaim(new Claim(ClaimTypes.Role, decision.Role!));
        context.Principal = user;
        await audit.WriteAsync(who, AuditActions.SignIn, AuthenticationSetup.SessionTarget, AuditOutcome.Success, $"Signed in as {decision.Role}. {DescribeSubject(user)}", cancellationToken);
    }

    /// <summary>
    /// The session's claims, each taken by name from the validated ID token into the claim types the dashboard reads;
    /// nothing else from the token reaches the cookie.
    /// </summary>
    /// <param name="emailVerified">Whether the ID token's <c>email_verified</c> was the JSON boolean <c>true</c>.</param>
    public static ClaimsIdentity SessionIdentity(ClaimsPrincipal idToken, bool emailVerified, SignInOptions signIn, string issuer)
    {
        var identity = new ClaimsIdentity(AuthenticationSetup.Auth0Scheme, ClaimTypes.Name, ClaimTypes.Role);
        Copy("sub", ClaimTypes.NameIdentifier);
        Copy("name", ClaimTypes.Name);
        Copy("email", ClaimTypes.Email);
        if (emailVerified)
        {
            identity.AddClaim(new Claim(RoleAssignment.EmailVerifiedClaim, "true", ClaimValueTypes.Boolean, issuer));
        }
        // Only the configured role claims: other role, scope or dashboard claims in the token grant nothing.
        foreach (var roleClaim in new[] { signIn.AdminRoleClaim, signIn.ViewerRoleClaim }.Distinct())
        {
            if (!string.IsNullOrEmpty(roleClaim) && roleClaim is not ("sub" or "name" or "email" or RoleAssignment.EmailVerifiedClaim))
            {
                Copy(roleClaim, roleClaim);
            }
        }
        return identity;

        void Copy(string tokenClaim, string sessionClaim)
        {
            foreach (var claim in idToken.FindAll(tokenClaim))
            {
                identity.AddClaim(new Claim(sessionClaim, claim.Value, claim.ValueType, issuer));
            }
        }
    }

    /// <summary>
    /// Reads <c>email_verified</c> from the (already validated) ID token's JSON: only a boolean <c>true</c> counts. Claims
    /// alone cannot tell <c>true</c> from <c>[true]</c>.
    /// </summary>
    public static bool IdTokenSaysEmailVerified(string? encodedIdToken)
    {
        var parts = encodedIdToken?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        try
        {
            using var payload = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[1]));
            return payload.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                   payload.RootElement.TryGetProperty(RoleAssignment.EmailVerifiedClaim, out var verified) &&
                   verified.ValueKind == System.Text.Json.JsonValueKind.True;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The subject and the claimed address (marked when unverified), so the audit entry ties the two together.</summary>
    private static string DescribeSubject(ClaimsPrincipal user)
    {
        var subject = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "none";
        var claimed = RoleAssignment.ClaimedEmail(user);
        return claimed is null ? $"(subject {subject})"
            : RoleAssignment.IsEmailVerified(user) ? $"(subject {subject}, verified e-mail {claimed})"
            : $"(subject {subject}, unverified e-mail {claimed})";
    }

    /// <summary>
    /// Audits an ID token or token response the handler refused. These happen only after a code from the tenant was
    /// redeemed, so they point at a forged, replayed or misdirected token rather than at someone requesting a URL.
    /// </summary>
    private static async Task AuditRefusedAnswerAsync(AuthenticationFailedContext context)
    {
        var reason = DescribeFailure(context.Exception);
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpenIdConnectSignIn));
        LogRefusedAnswer(logger, reason, context.Exception.GetType().Name);
        await context.HttpContext.RequestServices.GetRequiredService<IAuditLog>().WriteAsync(UnverifiedUser, AuditActions.SignIn,
            AuthenticationSetup.SessionTarget, AuditOutcome.Denied, $"Sign-in refused: {reason}.", context.HttpContext.RequestAborted);
    }

    internal static string DescribeFailure(Exception failure) => failure switch
    {
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the ID token's signature does not verify with the tenant's keys",
        SecurityTokenInvalidAudienceException => "the ID token was issued to another application (audience)",
        SecurityTokenInvalidIssuerException => "the ID token comes from another issuer",
        SecurityTokenExpiredException => "the ID token has expired",
        SecurityTokenNotYetValidException => "the ID token is not valid yet",
        SecurityTokenInvalidAlgorithmException => "the ID token is signed with an algorithm other than RS256",
        OpenIdConnectProtocolInvalidNonceException => "the ID token's nonce does not belong to this sign-in (replayed or injected)",
        OpenIdConnectProtocolException => "the identity provider's token response was refused",
        _ => "the identity provider's answer could not be validated",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused: {Reason} ({FailureType})")]
    private static partial void LogRefusedAnswer(ILogger logger, string reason, string failureType);
}
