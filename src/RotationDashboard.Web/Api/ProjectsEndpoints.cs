using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api;

/// <summary><c>GET /api/v1/projects</c>: lets a client find the projectId and environment slugs the rotation API takes.</summary>
public static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/projects", async (HttpContext context, SecretStoreService store, CancellationToken cancellationToken) =>
            {
                var projects = await store.ListProjectsAsync(cancellationToken);
                var result = new List<ProjectDto>(projects.Count);
                // A token limited to a project (and environment) learns of nothing else.
                foreach (var project in projects.Where(p => ApiAccess.MaySee(context.User, p.Id)))
                {
                    var environments = await store.ListEnvironmentsAsync(project.Id, cancellationToken);
                    result.Add(new ProjectDto(project.Id, project.Name, project.Slug, project.CreatedAt,
                        environments.Where(e => ApiAccess.MaySee(context.User, project.Id, e.Slug))
                            .Select(e => new ProjectEnvironmentDto(e.Id, e.Slug, e.Name)).ToList()));
                }
                return ApiResults.Ok(new ProjectsResponse(result));
            })
            .RequireAnyPermission(ApiPermissions.All.Where(p => p.EndsWith(":read", StringComparison.Ordinal)).ToArray())
            .WithName("ListProjects")
            .WithTags("Projects")
            .WithSummary("Projects and their environments")
            .WithDescription("The projectId and environment slugs the rotation and consumer APIs take. Needs any read permission; a token limited to a project " +
                             "(and environment) sees only those.")
            .Produces<ProjectsResponse>();
        return endpoints;
    }
}

public sealed record ProjectsResponse(IReadOnlyList<ProjectDto> Projects);

public sealed record ProjectDto(Guid Id, string Name, string Slug, DateTimeOffset CreatedAt, IReadOnlyList<ProjectEnvironmentDto> Environments);

public sealed record ProjectEnvironmentDto(Guid Id, string Slug, string Name);
