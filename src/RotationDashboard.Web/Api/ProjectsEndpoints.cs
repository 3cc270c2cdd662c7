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
                var result = new List<object>(projects.Count);
                foreach (var project in projects)
                {
                    var environments = await store.ListEnvironmentsAsync(project.Id, cancellationToken);
                    result.Add(new
                    {
                        id = project.Id,
                        name = project.Name,
                        slug = project.Slug,
                        createdAt = project.CreatedAt,
                        environments = environments.Select(e => new { id = e.Id, slug = e.Slug, name = e.Name }),
                    });
                }
                return Results.Ok(new { projects = result });
            })
            .RequireAuthorization(policy => policy
                .AddAuthenticationSchemes(AuthenticationSetup.ApiOrCookieScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context =>
                    ApiPermissions.All.Where(p => p.EndsWith(":read", StringComparison.Ordinal)).Any(p => ApiAccess.Allows(context.User, p))))
            .WithName("ListProjects")
            .WithTags("Projects");
        return endpoints;
    }
}
