using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Application.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>
/// <c>/api/v2/secret-rotations</c>, compatible with Hanzo KMS / Infisical (seed 002): per type
/// (<c>auth0-client-secret</c>, and ours <c>auth0-private-key-jwt</c>) create, list, get, get by name, patch, delete,
/// <c>rotate-secrets</c> and <c>generated-credentials</c>, plus our run history; <c>GET /options</c> and
/// <c>GET /?projectId=</c> across types. Reads need <c>rotations:read</c>; changes and rotations <c>rotations:write</c>,
/// reveals <c>rotations:reveal</c>, each for the rotation's project and environment when the token is limited.
/// The routes live in <see cref="SecretRotationQueryEndpoints"/>, <see cref="SecretRotationCommandEndpoints"/> and
/// <see cref="RotateSecretsEndpoint"/>; contracts map to the application in <see cref="SecretRotationApiMapping"/>.
/// Errors are problem details with Infisical's members (<see cref="ApiProblemDetails"/>).
/// </summary>
public static class SecretRotationEndpoints
{
    public const string BasePath = "/api/v2/secret-rotations";

    internal const string Tag = "Secret rotations";

    internal static readonly RotationType[] Types = [RotationType.Auth0ClientSecret, RotationType.Auth0PrivateKeyJwt];

    internal const string Auth0UnavailableDescription =
        "While Auth0 cannot be asked (it answers 5xx or 429, or not at all) the answer is a 503 problem with Retry-After (seconds), " +
        "not pinned to a field, and nothing is created or changed: send the same request again after that delay. (Hanzo KMS answers a 400 here; " +
        "a 503 tells clients and their retry policies that the request itself was fine.)";

    public static string PathFor(RotationType type) => $"{BasePath}/{type.ToSlug()}";

    public static IEndpointRouteBuilder MapSecretRotationApi(this IEndpointRouteBuilder endpoints)
    {
        var root = endpoints.MapApiGroup(BasePath).WithTags(Tag);

        root.MapGet("/options", () => ApiResults.Ok(new SecretRotationOptionsResponse(
                Types.Select(SecretRotationApiMapping.ToOption).OrderBy(o => o.Name, StringComparer.Ordinal).ToList())))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("ListSecretRotationOptions")
            .WithSummary("Rotation types with their secret-name templates and strategies")
            .Produces<SecretRotationOptionsResponse>();

        root.MapGet("", (string? projectId, HttpContext context, RotationQueries rotations, SecretStoreService store, CancellationToken cancellationToken) =>
                SecretRotationQueryEndpoints.ListAsync(projectId, type: null, context, rotations, store, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("ListSecretRotations")
            .WithSummary("Every rotation of a project, of all types")
            .Produces<SecretRotationListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        BulkRotationEndpoints.Map(root);
        foreach (var type in Types)
        {
            var group = root.MapGroup("/" + type.ToSlug());
            SecretRotationCommandEndpoints.Map(group, type);
            SecretRotationQueryEndpoints.Map(group, type);
            RotateSecretsEndpoint.Map(group, type);
        }

        return endpoints;
    }

    /// <summary>The per-type part of endpoint names: <c>Auth0ClientSecret</c>, <c>Auth0PrivateKeyJwt</c>.</summary>
    internal static string NameSuffix(RotationType type) => type == RotationType.Auth0ClientSecret ? "Auth0ClientSecret" : "Auth0PrivateKeyJwt";

    internal static async Task<RotationView?> FindAsync(RotationQueries rotations, Guid rotationId, RotationType type, CancellationToken cancellationToken)
    {
        var view = await rotations.GetAsync(rotationId, cancellationToken);
        return view is not null && view.Type == type.ToSlug() ? view : null;
    }

    /// <summary>A 403 when the caller may not read this rotation where it is (a token limited to another project or environment).</summary>
    internal static IResult? ReadRefused(HttpContext context, RotationView view) =>
        ApiAccess.Allows(context.User, ApiPermissions.RotationsRead, view.ProjectId, view.Environment.Slug, view.Folder.Path)
            ? null
            : ApiResults.Forbidden("The API token may not read this rotation: it needs rotations:read for its project and environment.");

    internal static IResult NotFound(RotationType type) => ApiResults.NotFound($"No {type.ToSlug()} rotation with this id exists.");

    /// <summary>
    /// Application failures as problem details, with Hanzo KMS's status codes: a name already taken in the folder, a run
    /// under way and other conflicts are 400s (the taken name with Hanzo KMS's message; its mapped secrets, then
    /// usually also taken, are listed under errors); other validation failures are 400s naming the fields.
    /// </summary>
    internal static IResult Failure(OperationFailure failure, NameConflict? conflict = null)
    {
        if (failure.Kind == OperationFailureKind.Validation && conflict is { } check && check.Matches(failure.Errors))
        {
            return Results.Problem(
                detail: check.Message,
                statusCode: StatusCodes.Status400BadRequest,
                title: "Bad Request",
                extensions: new Dictionary<string, object?> { ["errors"] = failure.Errors });
        }

        return ApiResults.FromFailureAsUpstream(failure, SecretRotationApiMapping.ApiFieldName);
    }

    /// <summary>The folder already has a rotation with this name (and perhaps the mapped secrets): a state conflict, not bad input.</summary>
    internal sealed record NameConflict(string Name, string FolderPath)
    {
        public string Message => RotationRules.DuplicateNameMessage(Name.Trim(), FolderPath);

        public bool Matches(IReadOnlyDictionary<string, string[]> errors)
        {
            var secretsTaken = RotationRules.ConflictingSecretsMessage(FolderPath, []);
            return errors.TryGetValue("name", out var names) && names.Length == 1 && names[0] == Message
                && errors.All(e => e.Key == "name" || (e.Key == "secretsMapping" && e.Value.All(m => m.StartsWith(secretsTaken, StringComparison.Ordinal))));
        }
    }
}
