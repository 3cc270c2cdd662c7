using System.Collections.Concurrent;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>
/// <c>/api/v2/secret-rotations</c>, compatible with Hanzo KMS / Infisical (seed 002): per type
/// (<c>auth0-client-secret</c>, and ours <c>auth0-private-key-jwt</c>) create, list, get, get by name, patch, delete,
/// <c>rotate-secrets</c> and <c>generated-credentials</c>, plus our run history; <c>GET /options</c> and
/// <c>GET /?projectId=</c> across types. Reads need <c>rotations:read</c>; changes and rotations <c>rotations:write</c>,
/// reveals <c>rotations:reveal</c>, each for the rotation's project and environment when the token is limited. Errors are problem details: 400 with per-field <c>errors</c> (nothing changed, no Auth0 call),
/// 404, 409 (name taken, already rotating), 502 (Auth0 failed the rotation).
/// </summary>
public static class SecretRotationEndpoints
{
    public const string BasePath = "/api/v2/secret-rotations";

    /// <summary><c>rotate-secrets</c> answers when the run ends or starts waiting (lead time, grace period), or after this.</summary>
    public static readonly TimeSpan RotateWaitLimit = TimeSpan.FromMinutes(2);

    private const string SecretRotationTag = "Secret rotations";

    private static readonly RotationType[] Types = [RotationType.Auth0ClientSecret, RotationType.Auth0PrivateKeyJwt];

    public static string PathFor(RotationType type) => $"{BasePath}/{type.ToSlug()}";

    public static IEndpointRouteBuilder MapSecretRotationApi(this IEndpointRouteBuilder endpoints)
    {
        var root = endpoints.MapApiGroup(BasePath).WithTags(SecretRotationTag);

        root.MapGet("/options", () => ApiResults.Ok(Options()))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("ListSecretRotationOptions")
            .WithSummary("Rotation types with their secret-name templates and strategies")
            .Produces<SecretRotationOptionsResponse>();

        root.MapGet("", (string? projectId, HttpContext context, RotationService rotations, SecretStoreService store, CancellationToken cancellationToken) =>
                ListAsync(projectId, type: null, context, rotations, store, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("ListSecretRotations")
            .WithSummary("Every rotation of a project, of all types")
            .Produces<SecretRotationListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        foreach (var type in Types)
        {
            MapType(root.MapGroup("/" + type.ToSlug()), type);
        }

        return endpoints;
    }

    private static void MapType(RouteGroupBuilder group, RotationType type)
    {
        var label = type == RotationType.Auth0ClientSecret ? "Auth0 Client Secret" : "Auth0 Private Key JWT";
        var suffix = type == RotationType.Auth0ClientSecret ? "Auth0ClientSecret" : "Auth0PrivateKeyJwt";

        group.MapPost("", (HttpContext context, RotationService rotations, CancellationToken cancellationToken) =>
                CreateAsync(type, context, rotations, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Create" + suffix + "Rotation")
            .WithSummary($"Create an {label} rotation")
            .WithDescription(CreateDescription(type))
            .Accepts<CreateSecretRotationRequest>("application/json")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("", (string? projectId, HttpContext context, RotationService rotations, SecretStoreService store, CancellationToken cancellationToken) =>
                ListAsync(projectId, type, context, rotations, store, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("List" + suffix + "Rotations")
            .WithSummary($"List a project's {label} rotations")
            .Produces<SecretRotationListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{rotationId:guid}", async (Guid rotationId, HttpContext context, RotationService rotations, CancellationToken cancellationToken) =>
                await FindAsync(rotations, rotationId, type, cancellationToken) is not { } view ? NotFound(type)
                : ReadRefused(context, view) ?? ApiResults.Ok(new SecretRotationResponse(SecretRotationDto.From(view))))
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
                    RotationService rotations,
                    CancellationToken cancellationToken) =>
                GetByNameAsync(type, rotationName, projectId, environment, secretPath, context, rotations, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("Get" + suffix + "RotationByName")
            .WithSummary($"Get an {label} rotation by name in a project, environment and path")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPatch("/{rotationId:guid}", (Guid rotationId, HttpContext context, RotationService rotations, CancellationToken cancellationToken) =>
                UpdateAsync(type, rotationId, context, rotations, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Update" + suffix + "Rotation")
            .WithSummary($"Update an {label} rotation")
            .WithDescription("Members left out are kept. Turning auto-rotation off clears nextRotationAt and un-schedules the rotation at once. " +
                             "A new secret name in secretsMapping renames the mapped secret. The application, mapping and strategy cannot change while a run is under way (409). " +
                             Auth0UnavailableDescription)
            .Accepts<UpdateSecretRotationRequest>("application/json")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapDelete("/{rotationId:guid}", (
                    Guid rotationId,
                    string? deleteSecrets,
                    string? revokeGeneratedCredentials,
                    HttpContext context,
                    RotationService rotations,
                    CancellationToken cancellationToken) =>
                DeleteAsync(type, rotationId, deleteSecrets, revokeGeneratedCredentials, context, rotations, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Delete" + suffix + "Rotation")
            .WithSummary($"Delete an {label} rotation")
            .WithDescription("deleteSecrets=true also deletes the mapped secrets (otherwise they stay, editable by hand). " +
                             "revokeGeneratedCredentials=true first makes the generated credentials stop working in Auth0 " +
                             "(client secret: Auth0's rotate-secret; Private Key JWT: the rotation's keys are detached and deleted); if that fails, nothing is deleted (409). " +
                             "Both default to false. Returns the deleted rotation.")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{rotationId:guid}/rotate-secrets", (
                    Guid rotationId,
                    HttpContext context,
                    RotationService rotations,
                    IRotationRunNotifier notifier,
                    CancellationToken cancellationToken) =>
                RotateAsync(type, rotationId, context, rotations, notifier, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Rotate" + suffix + "RotationSecrets")
            .WithSummary($"Rotate an {label} rotation's credential now")
            .WithDescription("Starts a run and answers when it has finished (200), or when it waits (202: a staged run's lead time, " +
                             $"or a run still going after {RotateWaitLimit.TotalSeconds:0} s; follow it at …/{{rotationId}}/runs/{{runId}}). " +
                             "A run whose new credential is live but whose old key could not be removed is a 200 (run message and lastRotationMessage: " +
                             "\"Rotated; clean-up pending: …\"). A run that failed or was rolled back is a 502 whose detail says why (Auth0 is left working with the previous credential " +
                             "where the strategy allows). A run already under way is a 409.")
            .Produces<RotateSecretsResponse>()
            .Produces<RotateSecretsResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapGet("/{rotationId:guid}/generated-credentials", (
                    Guid rotationId,
                    HttpContext context,
                    RotationService rotations,
                    CancellationToken cancellationToken) =>
                GeneratedCredentialsAsync(type, rotationId, context, rotations, cancellationToken))
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
                    RotationService rotations,
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
                return ApiResults.Ok(new RotationRunListResponse(page.Items.Select(RotationRunDto.From).ToList(), page.TotalCount));
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
                    RotationService rotations,
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
                    : ApiResults.Ok(new RotationRunResponse(RotationRunDto.From(run)));
            })
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("Get" + suffix + "RotationRun")
            .WithSummary("One run with its steps (ours)")
            .Produces<RotationRunResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static string CreateDescription(RotationType type) => type == RotationType.Auth0ClientSecret
        ? "Seed 002's request and response (Hanzo KMS). Validates everything before Auth0 is touched (400 names each field; nothing is created), " +
          "then issues the first credential synchronously and maps it to the secrets. strategy is ours: when it is left out the rotation is " +
          "single-phase, Hanzo KMS's behaviour (the old secret stops working at once); staged publishes the new secret as NEXT for " +
          "stagedLeadTimeSeconds before Auth0 switches, so consumers that fall back from CURRENT to NEXT never fail. " +
          "A name already used in the folder is a 409. If the first issuance fails the rotation is still created, with rotationStatus failed and the reason. " +
          Auth0UnavailableDescription
        : "Ours: rotates Private Key JWT credentials with two keys valid in Auth0 during the overlap (strategy private-key-jwt, the only one). " +
          "secretsMapping has clientId, privateKey (PEM) and keyId. An application that uses a client secret today is switched only with " +
          "switchToPrivateKeyJwt=true (its secret stops working for consumers). Otherwise like the auth0-client-secret create. " +
          Auth0UnavailableDescription;

    private const string Auth0UnavailableDescription =
        "While Auth0 cannot be asked (it answers 5xx or 429, or not at all) the answer is a 503 problem with Retry-After (seconds), " +
        "not pinned to a field, and nothing is created or changed: send the same request again after that delay. (Hanzo KMS answers a 400 here; " +
        "a 503 tells clients and their retry policies that the request itself was fine.)";

    private static SecretRotationOptionsResponse Options() => new(Types
        .Select(type => new SecretRotationOptionDto(
            type == RotationType.Auth0ClientSecret ? "Auth0 Client Secret" : "Auth0 Private Key JWT",
            type.ToSlug(),
            "auth0",
            new SecretRotationTemplateDto(SecretsMappingDto.From(SecretsMapping.DefaultFor(type))),
            RotationSlugs.StrategiesFor(type).Select(RotationApiSlugs.ToSlug).ToList(),
            RotationApiSlugs.ToSlug(RotationSlugs.DefaultStrategyFor(type)),
            RotationService.RequiredScopes(type),
            PathFor(type)))
        .OrderBy(o => o.Name, StringComparer.Ordinal)
        .ToList());

    // ---- Handlers ------------------------------------------------------------------------------------------

    private static async Task<IResult> ListAsync(
        string? projectId,
        RotationType? type,
        HttpContext context,
        RotationService rotations,
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
        return ApiResults.Ok(new SecretRotationListResponse(selected.Select(SecretRotationDto.From).ToList()));
    }

    private static async Task<IResult> GetByNameAsync(
        RotationType type,
        string rotationName,
        string? projectId,
        string? environment,
        string? secretPath,
        HttpContext context,
        RotationService rotations,
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
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationDto.From(view)))
            : ApiResults.NotFound($"No {type.ToSlug()} rotation named \"{rotationName}\" exists at that project, environment and path.");
    }

    private static async Task<IResult> CreateAsync(RotationType type, HttpContext context, RotationService rotations, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<CreateSecretRotationRequest>(context.Request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var input = body.Value!;
        var errors = new ValidationErrors();
        if (input.Type is { } requestedType && !string.Equals(requestedType.Trim(), type.ToSlug(), StringComparison.Ordinal))
        {
            errors.Add("type", $"This address creates \"{type.ToSlug()}\" rotations; use {PathFor(RotationSlugs.TryParseType(requestedType.Trim(), out var other) ? other : type)} for \"{(requestedType.Length <= 64 ? requestedType : requestedType[..64] + "…")}\".");
        }

        var strategy = ParseStrategy(input.Strategy, type, errors);
        if (input.RotationInterval is null)
        {
            errors.Add("rotationInterval", "Rotation interval is required (whole days, 1-365).");
        }

        var rotateAt = ToRotateAt(input.RotateAtUtc, current: null, errors);
        if (errors.HasErrors)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        var request = new CreateRotationRequest
        {
            Name = input.Name ?? string.Empty,
            Description = input.Description,
            Type = type.ToSlug(),
            Strategy = strategy,
            ConnectionId = input.ConnectionId ?? Guid.Empty,
            ProjectId = input.ProjectId ?? Guid.Empty,
            Environment = input.Environment ?? string.Empty,
            SecretPath = input.SecretPath ?? "/",
            IsAutoRotationEnabled = input.IsAutoRotationEnabled ?? true,
            RotationInterval = input.RotationInterval!.Value,
            RotateAtUtc = rotateAt,
            Parameters = input.Parameters is null ? null : new RotationParameters(input.Parameters.ClientId ?? string.Empty),
            SecretsMapping = input.SecretsMapping is { } mapping
                ? new SecretsMapping(mapping.ClientId ?? string.Empty, mapping.ClientSecret, mapping.PrivateKey, mapping.KeyId,
                    mapping.ClientSecretNext, mapping.PrivateKeyNext, mapping.KeyIdNext)
                : null,
            StagedLeadTime = Seconds(input.StagedLeadTimeSeconds),
            RetireGracePeriod = Seconds(input.RetireGracePeriodSeconds),
            UseSelfSignedCertificate = input.UseSelfSignedCertificate ?? false,
            SwitchToPrivateKeyJwt = input.SwitchToPrivateKeyJwt ?? false,
        };
        var result = await rotations.CreateAsync(request, DashboardUser.FromPrincipal(context.User), cancellationToken);
        if (result.Succeeded)
        {
            return ApiResults.Ok(new SecretRotationResponse(SecretRotationDto.From(result.Value)));
        }

        var path = FolderPath.TryNormalize(request.SecretPath, out var normalized, out _) ? normalized : request.SecretPath;
        return Failure(result.Failure!, new NameConflict(request.Name, path));
    }

    private static async Task<IResult> UpdateAsync(RotationType type, Guid rotationId, HttpContext context, RotationService rotations, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<UpdateSecretRotationRequest>(context.Request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var current = await FindAsync(rotations, rotationId, type, cancellationToken);
        if (current is null)
        {
            return NotFound(type);
        }

        var input = body.Value!;
        var errors = new ValidationErrors();
        Immutable(errors, "connectionId", input.ConnectionId, current.ConnectionId);
        Immutable(errors, "projectId", input.ProjectId, current.ProjectId);
        Immutable(errors, "environment", input.Environment?.Trim(), current.Environment.Slug);
        Immutable(errors, "type", input.Type?.Trim(), current.Type);
        if (input.SecretPath is { } secretPath)
        {
            Immutable(errors, "secretPath", FolderPath.TryNormalize(secretPath, out var normalized, out _) ? normalized : secretPath, current.Folder.Path);
        }

        var strategy = ParseStrategy(input.Strategy, type, errors);
        var rotateAt = input.RotateAtUtc is null ? null : ToRotateAt(input.RotateAtUtc, current.RotateAtUtc, errors);
        if (errors.HasErrors)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        var mapping = input.SecretsMapping is { } m
            ? new SecretsMapping(
                m.ClientId ?? current.SecretsMapping.ClientId,
                m.ClientSecret ?? current.SecretsMapping.ClientSecret,
                m.PrivateKey ?? current.SecretsMapping.PrivateKey,
                m.KeyId ?? current.SecretsMapping.KeyId,
                m.ClientSecretNext ?? current.SecretsMapping.ClientSecretNext,
                m.PrivateKeyNext ?? current.SecretsMapping.PrivateKeyNext,
                m.KeyIdNext ?? current.SecretsMapping.KeyIdNext)
            : null;
        var request = new UpdateRotationRequest
        {
            Name = input.Name,
            Description = input.DescriptionSent ? input.Description ?? string.Empty : null,
            IsAutoRotationEnabled = input.IsAutoRotationEnabled,
            RotationInterval = input.RotationInterval,
            RotateAtUtc = rotateAt,
            Parameters = input.Parameters?.ClientId is { } clientId ? new RotationParameters(clientId) : null,
            SecretsMapping = mapping == current.SecretsMapping ? null : mapping,
            Strategy = strategy,
            StagedLeadTime = Seconds(input.StagedLeadTimeSeconds),
            RetireGracePeriod = Seconds(input.RetireGracePeriodSeconds),
            UseSelfSignedCertificate = input.UseSelfSignedCertificate,
        };
        var result = await rotations.UpdateAsync(rotationId, request, DashboardUser.FromPrincipal(context.User), cancellationToken: cancellationToken);
        return result.Succeeded
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationDto.From(result.Value)))
            : Failure(result.Failure!, input.Name is null ? null : new NameConflict(input.Name, current.Folder.Path));
    }

    private static async Task<IResult> DeleteAsync(
        RotationType type,
        Guid rotationId,
        string? deleteSecrets,
        string? revokeGeneratedCredentials,
        HttpContext context,
        RotationService rotations,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var delete = ParseFlag(deleteSecrets, "deleteSecrets", errors);
        var revoke = ParseFlag(revokeGeneratedCredentials, "revokeGeneratedCredentials", errors);
        if (errors.HasErrors)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        if (await FindAsync(rotations, rotationId, type, cancellationToken) is null)
        {
            return NotFound(type);
        }

        var result = await rotations.DeleteAsync(rotationId, revoke, delete, DashboardUser.FromPrincipal(context.User), cancellationToken);
        return result.Succeeded
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationDto.From(result.Value)))
            : Failure(result.Failure!);
    }

    private static async Task<IResult> RotateAsync(
        RotationType type,
        Guid rotationId,
        HttpContext context,
        RotationService rotations,
        IRotationRunNotifier notifier,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(rotations, rotationId, type, cancellationToken) is null)
        {
            return NotFound(type);
        }

        // Subscribed before the start so the moment the run ends or starts waiting cannot be missed.
        using var settled = new RunSettledWatcher(notifier, rotationId);
        var started = await rotations.RotateNowAsync(rotationId, RunTrigger.Api, DashboardUser.FromPrincipal(context.User), waitForCompletion: false, cancellationToken);
        if (!started.Succeeded)
        {
            return Failure(started.Failure!);
        }

        var runId = started.Value.Run.Id;
        try
        {
            await settled.WaitAsync(runId, RotateWaitLimit, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still running: answered with 202 below; the run carries on in the background.
        }

        var run = await rotations.GetRunAsync(runId, cancellationToken);
        var rotation = await rotations.GetAsync(rotationId, cancellationToken);
        if (run is null || rotation is null)
        {
            return ApiResults.NotFound("The rotation was deleted meanwhile.");
        }

        var response = new RotateSecretsResponse(SecretRotationDto.From(rotation), RotationRunDto.From(run));
        switch (run.Status)
        {
            case RunStatus.Succeeded:
                return ApiResults.Ok(response);
            case RunStatus.Running:
                return Results.Json(response, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
            default:
                var outcome = run.Status == RunStatus.RolledBack ? "failed and was rolled back" : "failed";
                return Results.Problem(
                    detail: $"The rotation {outcome}: {run.Message ?? rotation.LastRotationMessage ?? "no reason was recorded."}",
                    statusCode: StatusCodes.Status502BadGateway,
                    title: "Rotation failed",
                    extensions: new Dictionary<string, object?> { ["runId"] = run.Id, ["runStatus"] = run.Status.ToString() });
        }
    }

    private static async Task<IResult> GeneratedCredentialsAsync(
        RotationType type,
        Guid rotationId,
        HttpContext context,
        RotationService rotations,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(rotations, rotationId, type, cancellationToken) is null)
        {
            return NotFound(type);
        }

        var result = await rotations.GetGeneratedCredentialsAsync(rotationId, DashboardUser.FromPrincipal(context.User), cancellationToken);
        if (!result.Succeeded)
        {
            return Failure(result.Failure!);
        }

        context.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(GeneratedCredentialsResponse.From(result.Value));
    }

    // ---- Helpers -------------------------------------------------------------------------------------------

    private static async Task<RotationView?> FindAsync(RotationService rotations, Guid rotationId, RotationType type, CancellationToken cancellationToken)
    {
        var view = await rotations.GetAsync(rotationId, cancellationToken);
        return view is not null && view.Type == type.ToSlug() ? view : null;
    }

    /// <summary>A 403 when the caller may not read this rotation where it is (a token limited to another project or environment).</summary>
    private static IResult? ReadRefused(HttpContext context, RotationView view) =>
        ApiAccess.Allows(context.User, ApiPermissions.RotationsRead, view.ProjectId, view.Environment.Slug, view.Folder.Path)
            ? null
            : ApiResults.Forbidden("The API token may not read this rotation: it needs rotations:read for its project and environment.");

    private static IResult NotFound(RotationType type) => ApiResults.NotFound($"No {type.ToSlug()} rotation with this id exists.");

    /// <summary>
    /// Service failures as problem details. A name already taken in the folder is a 409 with Hanzo KMS's message (its
    /// mapped secrets, then usually also taken, are listed under errors); other validation failures are 400s.
    /// </summary>
    private static IResult Failure(OperationFailure failure, NameConflict? conflict = null)
    {
        if (failure.Kind == OperationFailureKind.Validation && conflict is { } check && check.Matches(failure.Errors))
        {
            return Results.Problem(
                detail: check.Message,
                statusCode: StatusCodes.Status409Conflict,
                title: "Conflict",
                extensions: new Dictionary<string, object?> { ["errors"] = failure.Errors });
        }

        return ApiResults.FromFailure(failure, ApiFieldName);
    }

    /// <summary>The folder already has a rotation with this name (and perhaps the mapped secrets): a state conflict, not bad input.</summary>
    private sealed record NameConflict(string Name, string FolderPath)
    {
        public string Message => RotationRules.DuplicateNameMessage(Name.Trim(), FolderPath);

        public bool Matches(IReadOnlyDictionary<string, string[]> errors)
        {
            var secretsTaken = RotationRules.ConflictingSecretsMessage(FolderPath, []);
            return errors.TryGetValue("name", out var names) && names.Length == 1 && names[0] == Message
                && errors.All(e => e.Key == "name" || (e.Key == "secretsMapping" && e.Value.All(m => m.StartsWith(secretsTaken, StringComparison.Ordinal))));
        }
    }

    /// <summary>Service field names → the API's (durations are seconds here).</summary>
    private static string ApiFieldName(string field) => field switch
    {
        "stagedLeadTime" => "stagedLeadTimeSeconds",
        "retireGracePeriod" => "retireGracePeriodSeconds",
        _ => field,
    };

    private static RotationStrategy? ParseStrategy(string? text, RotationType type, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (RotationApiSlugs.TryParseStrategy(text, out var strategy) && RotationSlugs.StrategiesFor(type).Contains(strategy))
        {
            return strategy;
        }

        errors.Add("strategy", $"Strategy must be {string.Join(" or ", RotationSlugs.StrategiesFor(type).Select(RotationApiSlugs.ToSlug))} for \"{type.ToSlug()}\" rotations.");
        return null;
    }

    private static RotateAtUtc? ToRotateAt(RotateAtUtcInput? input, RotateAtUtc? current, ValidationErrors errors)
    {
        if (input is null)
        {
            return null;
        }

        if (current is null)
        {
            if (input.Hours is null)
            {
                errors.Add("rotateAtUtc.hours", "Hours is required (0-23).");
            }

            if (input.Minutes is null)
            {
                errors.Add("rotateAtUtc.minutes", "Minutes is required (0-59).");
            }
        }

        return new RotateAtUtc(input.Hours ?? current?.Hours ?? 0, input.Minutes ?? current?.Minutes ?? 0);
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } value ? TimeSpan.FromSeconds(value) : null;

    private static bool ParseFlag(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        errors.Add(field, $"{field} must be true or false.");
        return false;
    }

    private static void Immutable<T>(ValidationErrors errors, string field, T? requested, T current)
    {
        if (requested is not null && !EqualityComparer<T>.Default.Equals(requested, current))
        {
            errors.Add(field, $"{field} cannot be changed; leave it out, or create a new rotation there.");
        }
    }

    /// <summary>Completes per run id when the run finishes or starts waiting (lead time, grace period).</summary>
    private sealed class RunSettledWatcher : IDisposable
    {
        private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _runs = new();
        private readonly IDisposable _subscription;

        public RunSettledWatcher(IRotationRunNotifier notifier, Guid rotationId)
        {
            _subscription = notifier.Subscribe(e =>
            {
                if (e.RotationId != rotationId)
                {
                    return;
                }

                switch (e)
                {
                    case RunWaitingEvent waiting:
                        For(waiting.RunId).TrySetResult();
                        break;
                    case RunFinishedEvent finished:
                        For(finished.RunId).TrySetResult();
                        break;
                }
            });
        }

        public Task WaitAsync(Guid runId, TimeSpan limit, CancellationToken cancellationToken) =>
            For(runId).Task.WaitAsync(limit, cancellationToken);

        public void Dispose() => _subscription.Dispose();

        private TaskCompletionSource For(Guid runId) =>
            _runs.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
