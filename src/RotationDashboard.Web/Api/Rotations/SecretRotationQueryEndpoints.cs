using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;
using static RotationDashboard.Web.Api.Rotations.SecretRotationEndpoints;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>The rotation API's reads: list, get, get by name, generated credentials (a reveal) and run history.</summary>
public static class SecretRotationQueryEndpoints
{
    internal static void Map(RouteGroupBuilder group, RotationType type)
    {
        var label = SecretRotationApiMapping.Label(type);
        var suffix = NameSuffix(type);

        group.MapGet("", (string? projectId, HttpContext context, RotationQueries rotations, SecretStoreService store, CancellationToken cancellationToken) =>
                ListAsync(projectId, type, context, rotations, store, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("List" + suffix + "Rotations")
            .WithSummary($"List a project's {label} rotations")
            .Produces<SecretRotationListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{rotationId:guid}", async (Guid rotationId, HttpContext context, RotationQueries rotations, CancellationToken cancellationToken) =>
                await FindAsync(rotations, rotationId, type, cancellationToken) is not { } view ? NotFound(type)
                : ReadRefused(context, view) ?? ApiResults.Ok(new SecretRotationResponse(SecretRotationApiMapping.ToDto(view))))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("Get" + suffix + "Rotation")
            .WithSummary($"Get an {label} rotation by id")
            .Produces<SecretRotationResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/rotation-name/{rotationName}", (
                    string rotationName,
                    string? projectId,
                    string? environment,
                    string? secretPath,
                    HttpContext context,
                    RotationQueries rotations,
                    CancellationToken cancellationToken) =>
                GetByNameAsync(type, rotationName, projectId, environment, secretPath, context, rotations, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("Get" + suffix + "RotationByName")
            .WithSummary($"Get an {label} rotation by name in a project, environment and path")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{rotationId:guid}/generated-credentials", (
                    Guid rotationId,
                    HttpContext context,
                    RotationQueries rotations,
                    RevealCredentials reveal,
                    CancellationToken cancellationToken) =>
                GeneratedCredentialsAsync(type, rotationId, context, rotations, reveal, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsReveal)
            .WithName("Get" + suffix + "RotationGeneratedCredentials")
            .WithSummary("Reveal the generated credentials (audited)")
            .WithDescription("Reveals secret values, so it needs rotations:reveal (rotations:write does not include it) and is recorded in the audit log. " +
                             "Each credential says whether Auth0 still accepts it: a replaced client secret stops working at once.")
            .Produces<GeneratedCredentialsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{rotationId:guid}/runs", async (
                    Guid rotationId,
                    int? skip,
                    int? take,
                    HttpContext context,
                    RotationQueries rotations,
                    CancellationToken cancellationToken) =>
            {
                if (await FindAsync(rotations, rotationId, type, cancellationToken) is not { } view)
                {
                    return NotFound(type);
                }

                if (ReadRefused(context, view) is { } refused)
                {
                    return refused;
                }

                var page = await rotations.GetRunsAsync(rotationId, skip ?? 0, take ?? 20, cancellationToken);
                return ApiResults.Ok(new RotationRunListResponse(page.Items.Select(SecretRotationApiMapping.ToDto).ToList(), page.TotalCount));
            })
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("List" + suffix + "RotationRuns")
            .WithSummary("Run history, newest first (ours)")
            .WithDescription("skip (default 0) and take (default 20, at most 200) page through the runs; each run lists its steps.")
            .Produces<RotationRunListResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{rotationId:guid}/runs/{runId:guid}", async (
                    Guid rotationId,
                    Guid runId,
                    HttpContext context,
                    RotationQueries rotations,
                    CancellationToken cancellationToken) =>
            {
                var view = await FindAsync(rotations, rotationId, type, cancellationToken);
                if (view is not null && ReadRefused(context, view) is { } refused)
                {
                    return refused;
                }

                var run = view is null ? null : await rotations.GetRunAsync(runId, cancellationToken);
                return run is null || run.RotationId != rotationId
                    ? ApiResults.NotFound("The run does not exist.")
                    : ApiResults.Ok(new RotationRunResponse(SecretRotationApiMapping.ToDto(run)));
            })
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("Get" + suffix + "RotationRun")
            .WithSummary("One run with its steps (ours)")
            .Produces<RotationRunResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static async Task<IResult> ListAsync(
        string? projectId,
        RotationType? type,
        HttpContext context,
        RotationQueries rotations,
        SecretStoreService store,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(projectId, out var project))
        {
            return ApiResults.ValidationProblem("projectId", string.IsNullOrWhiteSpace(projectId)
                ? "projectId is required (GET /api/v1/projects lists them)."
                : "projectId must be a UUID.");
        }

        if (!ApiAccess.AllowsInProject(context.User, ApiPermissions.RotationsRead, project))
        {
            return ApiResults.Forbidden("The API token may not read rotations in this project: it needs rotations:read there.");
        }

        var list = await rotations.ListAsync(project, cancellationToken);
        if (list.Count == 0 && (await store.ListProjectsAsync(cancellationToken)).All(p => p.Id != project))
        {
            return ApiResults.NotFound("The project does not exist.");
        }

        var selected = (type is { } only ? list.Where(r => r.Type == only.ToSlug()) : list).Where(r => ReadRefused(context, r) is null);
        return ApiResults.Ok(new SecretRotationListResponse(selected.Select(SecretRotationApiMapping.ToDto).ToList()));
    }

    private static async Task<IResult> GetByNameAsync(
        RotationType type,
        string rotationName,
        string? projectId,
        string? environment,
        string? secretPath,
        HttpContext context,
        RotationQueries rotations,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!Guid.TryParse(projectId, out var project))
        {
            errors.Add("projectId", string.IsNullOrWhiteSpace(projectId) ? "projectId is required." : "projectId must be a UUID.");
        }

        if (string.IsNullOrWhiteSpace(environment))
        {
            errors.Add("environment", "environment is required (an environment slug such as dev).");
        }

        if (string.IsNullOrWhiteSpace(secretPath))
        {
            errors.Add("secretPath", "secretPath is required (e.g. /).");
        }
        else if (!FolderPath.TryNormalize(secretPath, out _, out var pathError))
        {
            errors.Add("secretPath", pathError!);
        }

        if (errors.HasErrors)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        var view = await rotations.GetByNameAsync(project, environment!, secretPath!, rotationName, cancellationToken);
        if (!ApiAccess.Allows(context.User, ApiPermissions.RotationsRead, project, environment!.Trim(), secretPath))
        {
            return ApiResults.Forbidden("The API token may not read rotations at this project, environment and path: it needs rotations:read there.");
        }

        return view is not null && view.Type == type.ToSlug()
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationApiMapping.ToDto(view)))
            : ApiResults.NotFound($"No {type.ToSlug()} rotation named \"{rotationName}\" exists at that project, environment and path.");
    }

    private static async Task<IResult> GeneratedCredentialsAsync(
        RotationType type,
        Guid rotationId,
        HttpContext context,
        RotationQueries rotations,
        RevealCredentials reveal,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(rotations, rotationId, type, cancellationToken) is null)
        {
            return NotFound(type);
        }

        var result = await reveal.ExecuteAsync(rotationId, DashboardUser.FromPrincipal(context.User), cancellationToken);
        if (!result.Succeeded)
        {
            return Failure(result.Failure!);
        }

        context.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(SecretRotationApiMapping.ToResponse(result.Value));
    }
}
