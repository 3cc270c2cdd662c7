using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Security;

public static class AccountEndpoints
{
    public const string SignedOutPath = "/account/signed-out";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(AuthenticationSetup.SignInPath, (string? returnUrl, HttpContext context) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = LocalReturnUrl.OrHome(returnUrl, context) },
                    [AuthenticationSetup.Auth0Scheme]))
            .AllowAnonymous();

        // POST with antiforgery: a link or image cannot sign a user out.
        endpoints.MapPost(AuthenticationSetup.SignOutPath, async (HttpContext context, IAuditLog audit) =>
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                await audit.WriteAsync(DashboardUser.FromPrincipal(context.User).Actor, AuditActions.SignOut, AuthenticationSetup.SessionTarget,
                    AuditOutcome.Success, cancellationToken: context.RequestAborted);
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            // The OpenID Connect handler sends the browser through Auth0's /v2/logout, which returns it to the signed-out page.
            await context.SignOutAsync(AuthenticationSetup.Auth0Scheme, new AuthenticationProperties { RedirectUri = SignedOutPath });
            return Results.Empty;
        }).AllowAnonymous();

        return endpoints;
    }
}
