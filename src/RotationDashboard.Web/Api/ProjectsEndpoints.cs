using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api;

/// <summary><c>GET /api/v1/projects</c>: lets a client find the projectId and environment slugs the rotation API takes.</summary>
public static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/projects", async (SecretStoreService store, CancellationToken cancellationToken) =>
            {
                var projects = await store.ListProjectsAsync(cancellationToken);
                var result = new List<ProjectDto>(projects.Count);
                foreach (var project in projects)
                {
                    var environments = await store.ListEnvironmentsAsync(project.Id, cancellationToken);
                    result.Add(new ProjectDto(project.Id, project.Name, project.Slug, project.CreatedAt,
                        environments.Select(e => new ProjectEnvironmentDto(e.Id, e.Slug, e.Name)).ToList()));
                }
                return ApiResults.Ok(new ProjectsResponse(result));
            })
            .RequireAuthorization(policy => policy
                .AddAuthenticationSchemes(AuthenticationSetup.ApiOrCookieScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context =>
                    ApiPermissions.All.Where(p => p.EndsWith(":read", StringComparison.Ordinal)).Any(p => ApiAccess.Allows(context.User, p))))
            .WithName("ListProjects")
            .WithTags("Projects")
            .WithSummary("Projects and their environments")
            .WithDescription("The projectId and environment slugs the rotation and consumer APIs take. Needs any read permission.")
            .Produces<ProjectsResponse>();
        return endpoints;
    }
}

public sealed record ProjectsResponse(IReadOnlyList<ProjectDto> Projects);

public sealed record ProjectDto(Guid Id, string Name, string Slug, DateTimeOffset CreatedAt, IReadOnlyList<ProjectEnvironmentDto> Environments);

public sealed record ProjectEnvironmentDto(Guid Id, string Slug, string Name);
