using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Security.Sessions;

/// <summary>Re-decides the role of a cookie session on every request, so removing an admin takes effect at once.</summary>
public static partial class SessionValidation
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal is null)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        var decision = services.GetRequiredService<SessionService>().Redecide(principal, out var check);
        switch (check)
        {
            case SessionCheck.RoleChanged:
                context.ReplacePrincipal(SessionService.WithRole(principal, decision.Role!));
                // Renewing writes the new role into the stored session.
                context.ShouldRenew = true;
                LogRoleChanged(Logger(services), DashboardUser.UserName(principal), decision.Role!);
                break;
            case SessionCheck.Ended:
                context.RejectPrincipal();
                // Removes the stored session, so no copy of the cookie works any more.
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                await services.GetRequiredService<IAuditLog>().WriteAsync(Actor.User(DashboardUser.UserName(principal)), AuditActions.SignOut,
                    AuthenticationSetup.SessionTarget, AuditOutcome.Denied, $"Session ended: {decision.Reason}", context.HttpContext.RequestAborted);
                break;
        }
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SessionValidation));

    [LoggerMessage(Level = LogLevel.Information, Message = "The sign-in settings now make {User} a {Role}; the live session follows")]
    private static partial void LogRoleChanged(ILogger logger, string user, string role);
}

/// <summary>
/// Open Blazor circuits do not send requests: every minute they ask whether their session still exists with the same
/// role, and otherwise sign out (the next page load gets the new role, or the sign-in page).
/// </summary>
public sealed class SessionRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, SessionService sessions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        sessions.IsStillValidAsync(authenticationState.User, cancellationToken);
}
