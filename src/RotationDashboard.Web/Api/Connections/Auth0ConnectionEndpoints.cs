using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Api.Connections;

/// <summary>
/// <c>/api/v1/app-connections/auth0</c>: Infisical's Auth0 app-connection routes (create, list, get, patch, delete,
/// the picker's <c>GET /{id}/clients</c>) plus <c>POST /{id}/validate</c>. Reads need <c>connections:read</c>, changes
/// <c>connections:write</c> (a signed-in Viewer reads, an Admin does everything). Responses never contain the client secret.
/// </summary>
public static class Auth0ConnectionEndpoints
{
    public const string BasePath = "/api/v1/app-connections/auth0";

    public static IEndpointRouteBuilder MapAuth0ConnectionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup(BasePath).WithTags("App connections").RequirePermission(ApiPermissions.ConnectionsRead);

        group.MapGet("", async (ConnectionService connections, CancellationToken cancellationToken) =>
        {
            var list = await connections.ListAsync(cancellationToken);
            return ApiResults.Ok(new AppConnectionListResponse(list.Select(AppConnectionDto.From).ToList()));
        });

        group.MapGet("/{id:guid}", async (Guid id, ConnectionService connections, CancellationToken cancellationToken) =>
            await connections.GetAsync(id, cancellationToken) is { } view
                ? ApiResults.Ok(new AppConnectionResponse(AppConnectionDto.From(view)))
                : ApiResults.NotFound("The connection does not exist."));

        group.MapPost("", async (HttpContext context, ConnectionService connections, CancellationToken cancellationToken) =>
        {
            var body = await ApiJson.ReadAsync<CreateAuth0ConnectionRequest>(context.Request, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }

            var request = body.Value!;
            if (MethodProblem(request.Method) is { } methodProblem)
            {
                return methodProblem;
            }

            var input = new ConnectionInput(
                request.Name,
                request.Credentials?.Domain,
                request.Credentials?.ClientId,
                request.Credentials?.ClientSecret,
                request.Credentials?.Audience,
                request.IsSandbox);
            var result = await connections.CreateAsync(input, DashboardUser.FromPrincipal(context.User), cancellationToken);
            return ApiResults.FromOperationResult(result, view => new AppConnectionResponse(AppConnectionDto.From(view)), ApiFieldName);
        }).RequirePermission(ApiPermissions.ConnectionsWrite);

        group.MapPatch("/{id:guid}", async (Guid id, HttpContext context, ConnectionService connections, CancellationToken cancellationToken) =>
        {
            var body = await ApiJson.ReadAsync<UpdateAuth0ConnectionRequest>(context.Request, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }

            var request = body.Value!;
            if (MethodProblem(request.Method) is { } methodProblem)
            {
                return methodProblem;
            }

            var patch = new ConnectionPatch(
                request.Name,
                request.Credentials?.Domain,
                request.Credentials?.ClientId,
                request.Credentials?.ClientSecret,
                request.Credentials?.Audience,
                request.IsSandbox);
            var result = await connections.UpdateAsync(id, patch, DashboardUser.FromPrincipal(context.User), cancellationToken);
            return ApiResults.FromOperationResult(result, view => new AppConnectionResponse(AppConnectionDto.From(view)), ApiFieldName);
        }).RequirePermission(ApiPermissions.ConnectionsWrite);

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext context, ConnectionService connections, CancellationToken cancellationToken) =>
        {
            var result = await connections.DeleteAsync(id, DashboardUser.FromPrincipal(context.User), cancellationToken);
            return ApiResults.FromOperationResult(result, view => new AppConnectionResponse(AppConnectionDto.From(view)));
        }).RequirePermission(ApiPermissions.ConnectionsWrite);

        group.MapGet("/{id:guid}/clients", async (
            Guid id,
            string? search,
            bool? refresh,
            ConnectionService connections,
            CancellationToken cancellationToken) =>
        {
            var result = await connections.ListApplicationsAsync(id, search, refresh ?? false, cancellationToken);
            return ApiResults.FromOperationResult(result, list =>
                new Auth0ClientsResponse(list.Applications.Select(Auth0ClientDto.From).ToList(), list.TotalCount, list.FetchedAt));
        });

        group.MapPost("/{id:guid}/validate", async (Guid id, HttpContext context, ConnectionService connections, CancellationToken cancellationToken) =>
        {
            var user = DashboardUser.FromPrincipal(context.User);
            var result = await connections.ValidateAsync(id, user, cancellationToken);
            if (!result.Succeeded)
            {
                return ApiResults.FromFailure(result.Failure!);
            }

            return await connections.GetAsync(id, cancellationToken) is { } view
                ? ApiResults.Ok(new ValidateConnectionResponse(AppConnectionDto.From(view), ConnectionValidationDto.From(result.Value)))
                : ApiResults.NotFound("The connection does not exist.");
        }).RequirePermission(ApiPermissions.ConnectionsWrite);

        return endpoints;
    }

    /// <summary>Service field names → the API body's: credential fields live under <c>credentials</c>.</summary>
    private static string ApiFieldName(string field) => field switch
    {
        "domain" or "clientId" or "clientSecret" or "audience" => "credentials." + field,
        _ => field,
    };

    private static IResult? MethodProblem(string? method) =>
        method is null || method == Connection.ClientCredentialsMethod
            ? null
            : ApiResults.ValidationProblem("method", $"Method must be \"{Connection.ClientCredentialsMethod}\".");
}
