using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Api;

/// <summary>
/// Conventions every API route group shares: an API token or a signed-in session, a permission per endpoint
/// (<see cref="RequirePermission{TBuilder}"/>: tokens by their scopes, sessions by their role), a role refusal from a
/// service answered as a 403 problem, and problem details for answers that would otherwise have no body
/// (401, 403, 404, 405). Cookie-authenticated unsafe calls must carry the antiforgery header
/// (<see cref="ApiAntiforgeryMiddleware"/>); bearer-token calls need none.
/// </summary>
public static class ApiEndpointConventions
{
    /// <summary>A route group under <paramref name="prefix"/> with the API conventions.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix);
        group.RequireAuthorization(DashboardPolicies.SignedIn);
        group.DisableAntiforgery();
        group.WithApiRequestSizeLimit();
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (ForbiddenActionException ex)
            {
                return ApiResults.Forbidden(ex.Message);
            }
        });
        return group;
    }

    /// <summary>
    /// Requires an API permission (e.g. <c>connections:write</c>): an API token needs it in its scopes; a signed-in
    /// Admin has every permission, a Viewer only the read ones (never <c>secrets:read</c>).
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiPolicies.For(permission)).WithMetadata(new ApiPermissionMetadata([permission]));

    /// <summary>Only a signed-in Admin's browser session may call it (no API token: tokens carry no role).</summary>
    public static TBuilder RequireAdminSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(DashboardPolicies.Admin).WithMetadata(new AdminSessionOnlyMetadata());

    /// <summary>Requires any one of <paramref name="permissions"/> (a token needs one of them; sessions as above).</summary>
    public static TBuilder RequireAnyPermission<TBuilder>(this TBuilder builder, params string[] permissions)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
                .AddAuthenticationSchemes(AuthenticationSetup.ApiOrCookieScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => permissions.Any(p => ApiAccess.Allows(context.User, p))))
            .WithMetadata(new ApiPermissionMetadata(permissions));

    /// <summary>
    /// For <c>/api</c> requests: no HTML status-code or error pages (input that cannot be read is a 4xx problem from
    /// <see cref="ApiInputProblems"/>; any other unhandled exception is a logged 500 problem), and a
    /// problem-details body for error answers that have none (authentication, authorization and routing refusals).
    /// Register after <c>UseStatusCodePages…</c>.
    /// </summary>
    public static IApplicationBuilder UseApiProblemDetails(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }

            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }

            try
            {
                await next(context);
            }
            catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested
                                              && ApiInputProblems.For(exception) is { } problem)
            {
                // Input the API could not read (a value that does not bind, a body too large or malformed): the caller's error.
                context.Response.Clear();
                await problem.ExecuteAsync(context);
                return;
            }
            catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // An API client gets problem details, not the HTML error page; the details stay in the log.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiEndpointConventions))
                    .LogError(exception, "Unhandled exception on {Method} {Path} (reqId {ReqId})", context.Request.Method, context.Request.Path.Value, ApiProblemDetails.RequestId(context));
                context.Response.Clear();
                await ApiResults.Problem(StatusCodes.Status500InternalServerError, "Unexpected failure",
                    $"The server failed to answer; its log has the details (request {ApiProblemDetails.RequestId(context)}).").ExecuteAsync(context);
                return;
            }

            var response = context.Response;
            if (response.HasStarted || response.StatusCode < 400 || response.ContentLength > 0 || !string.IsNullOrEmpty(response.ContentType))
            {
                return;
            }

            var detail = response.StatusCode switch
            {
                StatusCodes.Status401Unauthorized => "Send an API token as 'Authorization: Bearer <token>', or sign in.",
                StatusCodes.Status403Forbidden => "Your role may not do this: changes need the Admin role.",
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => "This address does not accept that method.",
                _ => null,
            };
            await ApiResults.Problem(response.StatusCode, ReasonPhrases.GetReasonPhrase(response.StatusCode), detail).ExecuteAsync(context);
        });
}
