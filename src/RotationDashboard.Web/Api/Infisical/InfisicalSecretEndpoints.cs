using System.Globalization;
using System.Security.Claims;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Api.Consumer;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Infisical;

/// <summary>
/// Infisical's secrets read API, so services that read secrets with Infisical's SDKs read this store unchanged:
/// <c>GET /api/v3/secrets/raw</c> and <c>/api/v3/secrets/raw/{secretName}</c> (project as <c>workspaceId</c>) and the
/// <c>/api/v4/secrets</c> twins (project as <c>projectId</c>). Each needs <c>secrets:read</c> at the project, environment
/// and path, from an API token or a machine identity's access token. One value per secret (CURRENT); a rotation
/// publishes NEXT under its own second name when its mapping names one. Reads are audited like the consumer API's.
/// </summary>
public static class InfisicalSecretEndpoints
{
    public const string HiddenValue = "<hidden-by-infisical>";

    private const string Scope = "environment (slug) is required; secretPath defaults to /. Needs secrets:read at the project, environment and path " +
                                 "(an API token or a machine identity's access token from Universal Auth). ";

    private const string Values = "viewSecretValue=false answers secretValue \"<hidden-by-infisical>\" and secretValueHidden true. expandSecretReferences, " +
                                  "include_imports and tagSlugs are accepted and change nothing (this store has no references, imports or tags). " +
                                  "Reads are audited once an hour per caller and secret, never with the value.";

    public static IEndpointRouteBuilder MapInfisicalSecretApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/api").WithTags("Infisical-compatible secrets").RequirePermission(ApiPermissions.SecretsRead);
        foreach (var (version, route, projectParameter) in new[] { ("V3", "/v3/secrets/raw", "workspaceId"), ("V4", "/v4/secrets", "projectId") })
        {
            group.MapGet(route, (HttpContext context, string? workspaceId, string? projectId, string? environment, string? secretPath, string? recursive,
                        string? viewSecretValue, string? expandSecretReferences, string? include_imports, string? tagSlugs,
                        InfisicalSecretReader reader, ConsumerReadAudit audit, CancellationToken cancellationToken) =>
                    ListAsync(context, projectParameter == "workspaceId" ? workspaceId : projectId, projectParameter, environment, secretPath, recursive,
                        viewSecretValue, expandSecretReferences, include_imports, reader, audit, cancellationToken))
                .WithName($"ListSecretsRaw{version}")
                .WithSummary("List a folder's secrets (Infisical's shape)")
                .WithDescription($"{projectParameter} (the project id) and " + Scope + "recursive=true adds every folder below secretPath that the caller " +
                                 "may read. Answers {secrets:[…], imports:[]}. " + Values)
                .Produces<InfisicalSecretListResponse>()
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status403Forbidden);

            group.MapGet(route + "/{secretName}", (HttpContext context, string secretName, string? workspaceId, string? projectId, string? environment,
                        string? secretPath, string? type, string? version, string? viewSecretValue, string? expandSecretReferences, string? includeImports,
                        InfisicalSecretReader reader, ConsumerReadAudit audit, CancellationToken cancellationToken) =>
                    GetAsync(context, secretName, projectParameter == "workspaceId" ? workspaceId : projectId, projectParameter, environment, secretPath, type,
                        version, viewSecretValue, expandSecretReferences, includeImports, reader, audit, cancellationToken))
                .WithName($"GetSecretRaw{version}")
                .WithSummary("Read one secret (Infisical's shape)")
                .WithDescription($"{projectParameter} (the project id) and " + Scope + "type must be shared (or absent): this store has no personal " +
                                 "secrets. version must be absent or the CURRENT version (older versions are not served). Answers {secret:{…}}. " + Values)
                .Produces<InfisicalSecretResponse>()
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status404NotFound);
        }

        return endpoints;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        string? project,
        string projectParameter,
        string? environment,
        string? secretPath,
        string? recursive,
        string? viewSecretValue,
        string? expandSecretReferences,
        string? includeImports,
        InfisicalSecretReader reader,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var location = Location(project, projectParameter, environment, secretPath, errors);
        var isRecursive = Flag(recursive, "recursive", false, errors);
        var withValues = Flag(viewSecretValue, "viewSecretValue", true, errors);
        Flag(expandSecretReferences, "expandSecretReferences", true, errors);
        Flag(includeImports, "include_imports", false, errors);
        if (errors.Count > 0)
        {
            return ApiResults.ValidationProblem(errors);
        }

        var (projectId, slug, path) = location;
        if (!ApiAccess.Allows(context.User, ApiPermissions.SecretsRead, projectId, slug, path))
        {
            return Denied();
        }

        var user = context.User;
        var secrets = await reader.ListAsync(projectId, slug, path, isRecursive, withValues,
            folder => ApiAccess.Allows(user, ApiPermissions.SecretsRead, projectId, slug, folder), cancellationToken);
        foreach (var secret in secrets)
        {
            await Audit(audit, user, secret, projectId, slug, cancellationToken);
        }

        context.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(new InfisicalSecretListResponse(secrets.Select(s => ToDto(s, projectId, slug)).ToList(), []));
    }

    private static async Task<IResult> GetAsync(
        HttpContext context,
        string secretName,
        string? project,
        string projectParameter,
        string? environment,
        string? secretPath,
        string? type,
        string? version,
        string? viewSecretValue,
        string? expandSecretReferences,
        string? includeImports,
        InfisicalSecretReader reader,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var location = Location(project, projectParameter, environment, secretPath, errors);
        var withValue = Flag(viewSecretValue, "viewSecretValue", true, errors);
        Flag(expandSecretReferences, "expandSecretReferences", true, errors);
        Flag(includeImports, "includeImports", false, errors);
        var key = secretName.Trim();
        if (key.Length is 0 or > Core.Secrets.SecretKey.MaxLength || key.Any(char.IsControl))
        {
            errors["secretName"] = [$"secretName must be 1 to {Core.Secrets.SecretKey.MaxLength} printable characters."];
        }

        if (type is not (null or "shared" or "personal"))
        {
            errors["type"] = ["type must be shared or personal."];
        }

        int? wantedVersion = null;
        if (version is not null)
        {
            if (int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                wantedVersion = parsed;
            }
            else
            {
                errors["version"] = ["version must be a whole number of at least 1."];
            }
        }

        if (errors.Count > 0)
        {
            return ApiResults.ValidationProblem(errors);
        }

        var (projectId, slug, path) = location;
        if (!ApiAccess.Allows(context.User, ApiPermissions.SecretsRead, projectId, slug, path))
        {
            return Denied();
        }

        var secret = type == "personal" ? null : await reader.GetAsync(projectId, slug, path, key, withValue, cancellationToken);
        if (secret is null || (wantedVersion is { } v && v != secret.Version))
        {
            return ApiResults.NotFound(secret is null
                ? $"Secret with name '{key}' not found"
                : $"Secret with name '{key}' has no version {wantedVersion} to serve: only its CURRENT version ({secret.Version}) is readable here.");
        }

        await Audit(audit, context.User, secret, projectId, slug, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(new InfisicalSecretResponse(ToDto(secret, projectId, slug)));
    }

    private static (Guid ProjectId, string Environment, string Path) Location(
        string? project, string projectParameter, string? environment, string? secretPath, Dictionary<string, string[]> errors)
    {
        if (!Guid.TryParse(project, out var projectId))
        {
            errors[projectParameter] = [string.IsNullOrWhiteSpace(project) ? $"{projectParameter} is required." : $"{projectParameter} must be a project id (UUID)."];
        }

        var slug = environment?.Trim() ?? string.Empty;
        if (slug.Length == 0)
        {
            errors["environment"] = ["environment is required (an environment slug such as dev)."];
        }
        else if (!Slug.IsValid(slug))
        {
            errors["environment"] = ["environment must be an environment slug such as dev, staging or prod."];
        }

        var path = FolderPath.Root;
        if (secretPath is not null && !FolderPath.TryNormalize(secretPath, out path, out var pathError))
        {
            errors["secretPath"] = [pathError!];
        }

        return (projectId, slug, path);
    }

    /// <summary>Upstream's booleans are the strings true and false (what the SDK sends).</summary>
    private static bool Flag(string? value, string name, bool absent, Dictionary<string, string[]> errors)
    {
        switch (value)
        {
            case null:
                return absent;
            case "true" or "True" or "1":
                return true;
            case "false" or "False" or "0":
                return false;
            default:
                errors[name] = [$"{name} must be true or false."];
                return absent;
        }
    }

    private static IResult Denied() =>
        ApiResults.Forbidden("The caller may not read secrets at this project, environment and path: it needs secrets:read there.");

    private static Task Audit(ConsumerReadAudit audit, ClaimsPrincipal user, SingleValueSecret secret, Guid projectId, string environment, CancellationToken cancellationToken) =>
        audit.RecordAsync(user, new MappedSecret(secret.SecretId, secret.Key, null, secret.VersionId, null, null), projectId, environment, secret.SecretPath,
            cancellationToken);

    private static InfisicalSecretDto ToDto(SingleValueSecret secret, Guid projectId, string environment)
    {
        var id = secret.SecretId.ToString();
        return new InfisicalSecretDto(
            id,
            id,
            projectId.ToString(),
            environment,
            secret.Version,
            "shared",
            secret.Key,
            secret.Value ?? HiddenValue,
            string.Empty,
            null,
            null,
            false,
            Timestamp(secret.CreatedAt),
            Timestamp(secret.UpdatedAt),
            secret.SecretPath,
            secret.Value is null,
            [],
            [],
            secret.OwnerRotationId is not null,
            secret.OwnerRotationId?.ToString());
    }

    /// <summary>Upstream's timestamps: ISO 8601 UTC with milliseconds (<c>2026-12-05T10:00:00.000Z</c>).</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
