using Microsoft.AspNetCore.Antiforgery;

namespace RotationDashboard.Web.Security;

/// <summary>
/// Cookie-authenticated requests that change something must carry an antiforgery token, so another site cannot make a
/// signed-in admin's browser send them: every unsafe method (POST, PUT, PATCH, DELETE) to the API, and sign-out.
/// ASP.NET Core's own antiforgery middleware only validates endpoints that bind a form, so it would let both through.
/// Bearer-token calls are not exposed to that and skip the check.
/// </summary>
public sealed class ApiAntiforgeryMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        if (NeedsAntiforgeryToken(context) && !await antiforgery.IsRequestValidAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await Results.Problem(statusCode: 400, title: "Antiforgery token missing or invalid",
                detail: "Browser sessions must send the antiforgery token with requests that change data; automation should use an API token.")
                .ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool NeedsAntiforgeryToken(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) ||
            HttpMethods.IsTrace(request.Method))
        {
            return false;
        }

        // Only a session can be ridden by another site; signing out an anonymous visitor changes nothing here.
        var cookieSession = ApiTokenAuthenticationHandler.BearerValue(request) is null && context.User.Identity?.IsAuthenticated == true;
        return cookieSession && (request.Path.StartsWithSegments("/api") || request.Path.Equals(AuthenticationSetup.SignOutPath));
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
