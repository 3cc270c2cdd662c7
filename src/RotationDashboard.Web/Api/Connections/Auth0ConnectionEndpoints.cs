using Microsoft.AspNetCore.Mvc;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

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

        group.MapGet("", async (ConnectionQueries connections, CancellationToken cancellationToken) =>
        {
            var list = await connections.ListAsync(cancellationToken);
            return ApiResults.Ok(new AppConnectionListResponse(list.Select(AppConnectionDto.From).ToList()));
        })
            .WithName("ListAuth0Connections")
            .WithSummary("List Auth0 connections")
            .Produces<AppConnectionListResponse>();

        group.MapGet("/{id:guid}", async (Guid id, ConnectionQueries connections, CancellationToken cancellationToken) =>
            await connections.GetAsync(id, cancellationToken) is { } view
                ? ApiResults.Ok(new AppConnectionResponse(AppConnectionDto.From(view)))
                : ApiResults.NotFound("The connection does not exist."))
            .WithName("GetAuth0Connection")
            .WithSummary("Get an Auth0 connection")
            .Produces<AppConnectionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("", async ([FromBody] CreateAuth0ConnectionRequest request, HttpContext context, CreateConnection create, SecretStoreService store, CancellationToken cancellationToken) =>
        {
            if (MethodProblem(request.Method) is { } methodProblem)
            {
                return methodProblem;
            }

            if (await ProjectProblemAsync(request.ProjectId, store, cancellationToken) is { } projectProblem)
            {
                return projectProblem;
            }

            var result = await create.ExecuteAsync(AppConnectionDto.ToInput(request), DashboardUser.FromPrincipal(context.User), cancellationToken);
            return Answer(result, view => new AppConnectionResponse(AppConnectionDto.From(view)), ApiFieldName);
        }).RequirePermission(ApiPermissions.ConnectionsWrite)
            .WithName("CreateAuth0Connection")
            .WithSummary("Create an Auth0 connection")
            .WithDescription("Hanzo KMS's body: {name, method: client-credentials, credentials: {domain, clientId, clientSecret, audience}}. " +
                             "The audience defaults to https://{domain}/api/v2/. Saved only once Auth0 issues a Management API token for the " +
                             "credentials (a refusal or an unreachable tenant is a 400 on the field at fault); the test's result is recorded. " +
                             "The response never contains the client secret.")
            .Accepts<CreateAuth0ConnectionRequest>("application/json")
            .Produces<AppConnectionResponse>()
            .ProducesValidationProblem();

        group.MapPatch("/{id:guid}", async (Guid id, [FromBody] UpdateAuth0ConnectionRequest request, HttpContext context, UpdateConnection update, SecretStoreService store, CancellationToken cancellationToken) =>
        {
            if (MethodProblem(request.Method) is { } methodProblem)
            {
                return methodProblem;
            }

            if (await ProjectProblemAsync(request.ProjectId, store, cancellationToken) is { } projectProblem)
            {
                return projectProblem;
            }

            var result = await update.ExecuteAsync(id, AppConnectionDto.ToPatch(request), DashboardUser.FromPrincipal(context.User), cancellationToken);
            return Answer(result, view => new AppConnectionResponse(AppConnectionDto.From(view)), ApiFieldName);
        }).RequirePermission(ApiPermissions.ConnectionsWrite)
            .WithName("UpdateAuth0Connection")
            .WithSummary("Update an Auth0 connection")
            .WithDescription("Members left out are kept; a left-out clientSecret keeps the stored one. New credentials or another tenant are " +
                             "saved only once Auth0 issues a token for them (else 400, nothing changed).")
            .Accepts<UpdateAuth0ConnectionRequest>("application/json")
            .Produces<AppConnectionResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext context, DeleteConnection delete, CancellationToken cancellationToken) =>
        {
            var result = await delete.ExecuteAsync(id, DashboardUser.FromPrincipal(context.User), cancellationToken);
            return Answer(result, view => new AppConnectionResponse(AppConnectionDto.From(view)));
        }).RequirePermission(ApiPermissions.ConnectionsWrite)
            .WithName("DeleteAuth0Connection")
            .WithSummary("Delete an Auth0 connection (refused while rotations use it)")
            .Produces<AppConnectionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:guid}/clients", async (
            Guid id,
            string? search,
            bool? refresh,
            HttpContext context,
            ListApplications listApplications,
            CancellationToken cancellationToken) =>
        {
            var result = await listApplications.ExecuteAsync(id, search, refresh ?? false, DashboardUser.FromPrincipal(context.User), cancellationToken);
            return Answer(result, list =>
                new Auth0ClientsResponse(list.Applications.Select(Auth0ClientDto.From).ToList(), list.TotalCount, list.FetchedAt));
        })
            .WithName("ListAuth0ConnectionClients")
            .WithSummary("The tenant's applications, for picking the one to rotate")
            .WithDescription("search filters by name or client id; refresh=true skips the short cache (for callers with connections:write; others get the cached list). The connection's own application, the dashboard's " +
                             "sign-in application and Auth0's \"All Applications\" pseudo-client are left out.")
            .Produces<Auth0ClientsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapPost("/{id:guid}/validate", async (Guid id, HttpContext context, ValidateConnection validate, ConnectionQueries connections, CancellationToken cancellationToken) =>
        {
            var user = DashboardUser.FromPrincipal(context.User);
            var result = await validate.ExecuteAsync(id, user, cancellationToken);
            if (!result.Succeeded)
            {
                return ApiResults.FromFailureAsUpstream(result.Failure!);
            }

            return await connections.GetAsync(id, cancellationToken) is { } view
                ? ApiResults.Ok(new ValidateConnectionResponse(AppConnectionDto.From(view), ConnectionValidationDto.From(result.Value)))
                : ApiResults.NotFound("The connection does not exist.");
        }).RequirePermission(ApiPermissions.ConnectionsWrite)
            .WithName("ValidateAuth0Connection")
            .WithSummary("Test the connection: fetch a token and check the Management API scopes each rotation type needs")
            .Produces<ValidateConnectionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return endpoints;
    }

    /// <summary>Results with Hanzo KMS's status codes: a conflict (a name taken, a connection in use) is a 400.</summary>
    private static IResult Answer<T>(OperationResult<T> result, Func<T, object> body, Func<string, string>? fieldName = null) =>
        result.Succeeded ? ApiResults.Ok(body(result.Value)) : ApiResults.FromFailureAsUpstream(result.Failure!, fieldName);

    /// <summary>Service field names → the API body's: credential fields live under <c>credentials</c>.</summary>
    private static string ApiFieldName(string field) => field switch
    {
        "domain" or "clientId" or "clientSecret" or "audience" => "credentials." + field,
        _ => field,
    };

    /// <summary>A 400 on <c>projectId</c> when it names no project.</summary>
    internal static async Task<IResult?> ProjectProblemAsync(Guid? projectId, SecretStoreService store, CancellationToken cancellationToken) =>
        projectId is { } id && id != Guid.Empty && (await store.ListProjectsAsync(cancellationToken)).All(p => p.Id != id)
            ? ApiResults.ValidationProblem("projectId", "Project not found (GET /api/v1/projects lists them).")
            : null;

    private static IResult? MethodProblem(string? method) =>
        method is null || method == Connection.ClientCredentialsMethod
            ? null
            : ApiResults.ValidationProblem("method", $"Method must be \"{Connection.ClientCredentialsMethod}\".");
}
