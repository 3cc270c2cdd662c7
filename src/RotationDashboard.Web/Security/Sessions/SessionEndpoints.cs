using RotationDashboard.Web.Api;

namespace RotationDashboard.Web.Security.Sessions;

/// <summary>
/// Signed-in sessions for Admins in the browser: list and revoke. No API token can call these (tokens carry no role),
/// so they stay out of the public API document.
/// </summary>
public static class SessionEndpoints
{
    public const string BasePath = "/api/v1/sessions";

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup(BasePath).RequireAdminSession().ExcludeFromDescription();

        group.MapGet("", async (SessionService sessions, CancellationToken cancellationToken) =>
            ApiResults.Ok(new SessionListResponse(await sessions.ListActiveAsync(cancellationToken))));

        group.MapDelete("/{id}", async (string id, HttpContext context, SessionService sessions, CancellationToken cancellationToken) =>
            await sessions.RevokeAsync(id, DashboardUser.FromPrincipal(context.User), cancellationToken)
                ? Results.NoContent()
                : ApiResults.NotFound("The session does not exist or has already ended."));

        return endpoints;
    }
}

public sealed record SessionListResponse(IReadOnlyList<UserSessionView> Sessions);
