using Microsoft.AspNetCore.Antiforgery;

namespace RotationDashboard.Web.Security;

/// <summary>
/// Cookie-authenticated calls to the API that change something must carry an antiforgery token, so another site
/// cannot make a signed-in admin's browser call it. Bearer-token calls are not exposed to that and skip the check.
/// </summary>
public sealed class ApiAntiforgeryMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api")
            && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && ApiTokenAuthenticationHandler.BearerValue(request) is null
            && context.User.Identity?.IsAuthenticated == true
            && !await antiforgery.IsRequestValidAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await Results.Problem(statusCode: 400, title: "Antiforgery token missing or invalid",
                detail: "Browser sessions must send the antiforgery token with API calls that change data; automation should use an API token.")
                .ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}

public static class AntiforgeryTokenEndpoint
{
    /// <summary>
    /// <c>GET /api/v1/antiforgery-token</c>: for scripts running in a signed-in browser session; send the returned
    /// token in the <c>X-CSRF-TOKEN</c> header with POST, PATCH and DELETE calls.
    /// </summary>
    public static IEndpointRouteBuilder MapAntiforgeryTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/antiforgery-token", (HttpContext context, IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(context);
                return Results.Ok(new { token = tokens.RequestToken, headerName = ApiAntiforgeryMiddleware.HeaderName });
            })
            .RequireAuthorization(DashboardPolicies.SignedIn)
            .WithTags("Session");
        return endpoints;
    }
}
