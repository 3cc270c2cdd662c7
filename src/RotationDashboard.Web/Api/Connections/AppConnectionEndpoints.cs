using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Connections;

/// <summary>
/// The app-connection reads Infisical's clients use besides the Auth0 CRUD: <c>GET /api/v1/app-connections</c>
/// (every app, optionally for one project), <c>GET /api/v1/app-connections/options</c>, and under
/// <c>/api/v1/app-connections/auth0</c> <c>GET /available</c> and <c>GET /connection-name/{connectionName}</c>.
/// All need <c>connections:read</c>. A connection with a projectId belongs to that project; one without is
/// available to every project.
/// </summary>
public static class AppConnectionEndpoints
{
    public const string BasePath = "/api/v1/app-connections";

    public static IEndpointRouteBuilder MapAppConnectionApi(this IEndpointRouteBuilder endpoints)
    {
        var root = endpoints.MapApiGroup(BasePath).WithTags("App connections").RequirePermission(ApiPermissions.ConnectionsRead);

        root.MapGet("", async (string? projectId, ConnectionQueries connections, SecretStoreService store, CancellationToken cancellationToken) =>
                await ForProjectAsync(projectId, connections, store, cancellationToken) is var (list, problem) && problem is not null
                    ? problem
                    : ApiResults.Ok(new AppConnectionListResponse(list!.Select(AppConnectionDto.From).ToList())))
            .WithName("ListAppConnections")
            .WithSummary("List app connections of every app (only Auth0 here)")
            .WithDescription("projectId (optional) keeps the connections that project may use: its own and those of no project. " +
                             "A projectId that is not a UUID is a 400; one of no project a 404.")
            .Produces<AppConnectionListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        root.MapGet("/options", () => ApiResults.Ok(new AppConnectionOptionsResponse(
                [new AppConnectionOptionDto("Auth0", AppConnectionDto.Auth0App, [Connection.ClientCredentialsMethod])])))
            .WithName("ListAppConnectionOptions")
            .WithSummary("The apps a connection can be made to, with their methods")
            .Produces<AppConnectionOptionsResponse>();

        var auth0 = endpoints.MapApiGroup(Auth0ConnectionEndpoints.BasePath).WithTags("App connections").RequirePermission(ApiPermissions.ConnectionsRead);

        auth0.MapGet("/available", async (string? projectId, ConnectionQueries connections, SecretStoreService store, CancellationToken cancellationToken) =>
                await ForProjectAsync(projectId, connections, store, cancellationToken) is var (list, problem) && problem is not null
                    ? problem
                    : ApiResults.Ok(new AvailableAppConnectionsResponse(list!
                        .Select(c => new AvailableAppConnectionDto(AppConnectionDto.Auth0App, c.Name, c.Id, c.Description, c.ProjectId)).ToList())))
            .WithName("ListAvailableAuth0Connections")
            .WithSummary("Auth0 connections the caller may use (for a project, with projectId)")
            .WithDescription("Infisical's picker list: {appConnections: [{app, name, id}]} (plus description and projectId). projectId as in GET /api/v1/app-connections.")
            .Produces<AvailableAppConnectionsResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        auth0.MapGet("/connection-name/{connectionName}", async (string connectionName, ConnectionQueries connections, CancellationToken cancellationToken) =>
            {
                var errors = new ValidationErrors();
                Slug.Validate(connectionName, "connectionName", "Connection name", errors);
                if (errors.HasErrors)
                {
                    return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
                }

                var list = await connections.ListAsync(cancellationToken);
                return list.FirstOrDefault(c => string.Equals(c.Name, connectionName.Trim(), StringComparison.Ordinal)) is { } view
                    ? ApiResults.Ok(new AppConnectionResponse(AppConnectionDto.From(view)))
                    : ApiResults.NotFound($"No Auth0 connection named \"{connectionName.Trim()}\" exists.");
            })
            .WithName("GetAuth0ConnectionByName")
            .WithSummary("Get an Auth0 connection by name")
            .Produces<AppConnectionResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return endpoints;
    }

    /// <summary>The connections a project may use (all when <paramref name="projectId"/> is left out), or the problem with the query.</summary>
    private static async Task<(IReadOnlyList<ConnectionView>? List, IResult? Problem)> ForProjectAsync(
        string? projectId,
        ConnectionQueries connections,
        SecretStoreService store,
        CancellationToken cancellationToken)
    {
        var list = await connections.ListAsync(cancellationToken);
        if (projectId is null)
        {
            return (list, null);
        }

        if (!Guid.TryParse(projectId, out var project))
        {
            return (null, ApiResults.ValidationProblem("projectId", "projectId must be a UUID (GET /api/v1/projects lists them), or left out."));
        }

        if ((await store.ListProjectsAsync(cancellationToken)).All(p => p.Id != project))
        {
            return (null, ApiResults.NotFound("The project does not exist."));
        }

        return (list.Where(c => c.ProjectId is null || c.ProjectId == project).ToList(), null);
    }
}
