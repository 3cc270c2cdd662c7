using System.Security.Claims;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Consumer;

/// <summary>
/// The consumer read API, for the services that use the rotated credentials (the client library's
/// <c>DashboardCredentialSource</c>), all with <c>?projectId&amp;environment&amp;secretPath</c>:
/// <c>GET /api/v1/consumer/credential-sets/{key}</c> (a rotation's whole credential set, the way to read a credential),
/// <c>GET /api/v1/consumer/secrets?keys=A,B</c> (several secrets) and <c>GET /api/v1/consumer/secrets/{key}</c> (one).
/// Several values in one answer always come from one snapshot of the store, so a promotion never lands between them.
/// Each needs <c>secrets:read</c> for that project, environment and path (a token limited to <c>/payments</c> reads
/// <c>/payments</c> and below, nothing else: 403). They are on every consumer's hot path: values come from the
/// decrypted-value cache (invalidated on every change), token checks from the token service's cache, and nothing is
/// written per request; reads are audited once an hour per caller and secret (<see cref="ConsumerReadAudit"/>).
/// </summary>
public static class ConsumerSecretEndpoints
{
    public const string Route = "/api/v1/consumer/secrets/{key}";
    public const string ListRoute = "/api/v1/consumer/secrets";
    public const string CredentialSetRoute = "/api/v1/consumer/credential-sets/{key}";
    public const int MaxKeysPerRead = 100;

    private const string ScopeDescription = "projectId and environment (slug) are required, secretPath defaults to /. Needs an API token with " +
                                            "secrets:read limited to (or above) the project, environment and path asked for; another path is a 403. ";

    private const string AuditDescription = "Reads are audited once an hour per token and secret, never with the value.";

    public static IEndpointRouteBuilder MapConsumerSecretApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CredentialSetRoute, ReadCredentialSetAsync)
            .RequirePermission(ApiPermissions.SecretsRead)
            .WithTags("Consumer")
            .WithName("ReadConsumerCredentialSet")
            .WithSummary("Read a rotation's whole credential set (CURRENT and NEXT) in one request")
            .WithDescription("The way to read a rotated credential. key is any secret name the rotation maps (e.g. AUTH0_CLIENT_SECRET or " +
                             "AUTH0_PRIVATE_KEY). Answers the rotation's client id and client secret, or client id, private key and key id, for " +
                             "CURRENT and (while a new credential is published) NEXT, all read from one snapshot: the key id always belongs to " +
                             "the private key next to it, which two separate secret reads cannot promise when a promotion lands between them. " +
                             "version is the CURRENT credential's version number and changes on every promotion. Use current, and next when " +
                             "Auth0 rejects current. A secret that no rotation manages is a 404 (read it with the secret read). " +
                             ScopeDescription + AuditDescription)
            .Produces<ConsumerCredentialSetResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet(ListRoute, ReadSecretsAsync)
            .RequirePermission(ApiPermissions.SecretsRead)
            .WithTags("Consumer")
            .WithName("ReadConsumerSecrets")
            .WithSummary("Read several secrets' CURRENT and NEXT values from one snapshot")
            .WithDescription($"keys lists the secret names (comma-separated and/or repeated, at most {MaxKeysPerRead}); the answer lists them in " +
                             "that order, all read from one snapshot of the store. If any is missing the answer is a 404 naming it. " +
                             ScopeDescription + AuditDescription)
            .Produces<ConsumerSecretListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet(Route, ReadAsync)
            .RequirePermission(ApiPermissions.SecretsRead)
            .WithTags("Consumer")
            .WithName("ReadConsumerSecret")
            .WithSummary("Read a secret's CURRENT and NEXT values")
            .WithDescription("For services that use the rotated credentials. " + ScopeDescription +
                             "next (null otherwise) is set while a staged or Private Key JWT " +
                             "rotation has published a new value that Auth0 may not accept yet: use current, and next when Auth0 rejects current. " +
                             "To read a rotation's credential (several secrets that belong together) use the credential-set read instead. " +
                             AuditDescription)
            .Produces<ConsumerSecretResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> ReadAsync(
        string key,
        string? projectId,
        string? environment,
        string? secretPath,
        HttpContext context,
        ConsumerSecretReads store,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var checkedScope = CheckScope(context.User, projectId, environment, secretPath, extraErrors: null);
        if (checkedScope.Problem is { } problem)
        {
            return problem;
        }

        var scope = checkedScope.Scope;
        var secret = await store.GetMappedSecretAsync(scope.ProjectId, scope.Environment, scope.Path, key, cancellationToken);
        if (secret?.Current is null || secret.CurrentVersionId is null)
        {
            return ApiResults.NotFound(secret is null
                ? $"There is no secret \"{key}\" at that project, environment and path."
                : $"Secret \"{key}\" has no current value yet.");
        }

        await audit.RecordAsync(context.User, secret, scope.ProjectId, scope.Environment, scope.Path, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new ConsumerSecretResponse(ToDto(secret, scope)), ConsumerJsonContext.Api.ConsumerSecretResponse);
    }

    private static async Task<IResult> ReadSecretsAsync(
        string[]? keys,
        string? projectId,
        string? environment,
        string? secretPath,
        HttpContext context,
        ConsumerSecretReads store,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var wanted = (keys ?? []).SelectMany(k => k.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal).ToList();
        var keyErrors = wanted.Count switch
        {
            0 => new Dictionary<string, string[]> { ["keys"] = ["keys is required: the secret names to read, e.g. keys=AUTH0_CLIENT_ID,AUTH0_CLIENT_SECRET."] },
            > MaxKeysPerRead => new Dictionary<string, string[]> { ["keys"] = [$"At most {MaxKeysPerRead} keys can be read at once."] },
            _ => null,
        };
        var checkedScope = CheckScope(context.User, projectId, environment, secretPath, keyErrors);
        if (checkedScope.Problem is { } problem)
        {
            return problem;
        }

        var scope = checkedScope.Scope;
        var secrets = await store.GetMappedSecretsAsync(scope.ProjectId, scope.Environment, scope.Path, wanted, cancellationToken);
        var missing = wanted.Where(k => secrets.GetValueOrDefault(k)?.CurrentVersionId is null).ToList();
        if (missing.Count > 0)
        {
            return ApiResults.NotFound($"These secrets do not exist (or have no current value yet) at that project, environment and path: {string.Join(", ", missing)}");
        }

        var read = wanted.Select(k => secrets[k]).ToList();
        foreach (var secret in read)
        {
            await audit.RecordAsync(context.User, secret, scope.ProjectId, scope.Environment, scope.Path, cancellationToken);
        }

        context.Response.Headers.CacheControl = "no-store";
        var body = new ConsumerSecretListResponse(read.Select(s => ToDto(s, scope)).ToList());
        return TypedResults.Json(body, ConsumerJsonContext.Api.ConsumerSecretListResponse);
    }

    private static async Task<IResult> ReadCredentialSetAsync(
        string key,
        string? projectId,
        string? environment,
        string? secretPath,
        HttpContext context,
        ConsumerSecretReads store,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var checkedScope = CheckScope(context.User, projectId, environment, secretPath, extraErrors: null);
        if (checkedScope.Problem is { } problem)
        {
            return problem;
        }

        var scope = checkedScope.Scope;
        var read = await store.GetCredentialSetAsync(scope.ProjectId, scope.Environment, scope.Path, key, cancellationToken);
        if (!read.Succeeded)
        {
            return ApiResults.FromFailure(read.Failure!);
        }

        var set = read.Value;
        var mapping = set.Mapping;
        if (set.Credential is not { Current: not null, CurrentVersionId: { } currentVersionId, CurrentVersion: { } currentVersion } credential
            || set.Secrets.Values.Any(s => s.Current is null))
        {
            return ApiResults.NotFound($"The credential set of the rotation that manages \"{key}\" has no current value yet.");
        }

        foreach (var secret in set.Secrets.Values)
        {
            await audit.RecordAsync(context.User, secret, scope.ProjectId, scope.Environment, scope.Path, cancellationToken);
        }

        // All mapped secrets come from one snapshot, where a rotation publishes and promotes them together; a secret
        // with no NEXT of its own (its value did not change) keeps its CURRENT in the NEXT credential.
        string? Current(string? mappedKey) => mappedKey is null ? null : set.Secrets[mappedKey].Current;
        string? Next(string? mappedKey) => mappedKey is null ? null : set.Secrets[mappedKey].Next ?? set.Secrets[mappedKey].Current;
        var current = new ConsumerCredentialDto(
            currentVersion, currentVersionId, Current(mapping.ClientId)!, Current(mapping.ClientSecret), Current(mapping.PrivateKey),
            Current(mapping.KeyId), credential.CurrentCreatedAt ?? default);
        var next = set.Secrets.Values.Any(s => s.Next is not null)
            ? new ConsumerCredentialDto(
                credential.NextVersion ?? currentVersion, credential.NextVersionId ?? currentVersionId, Next(mapping.ClientId)!, Next(mapping.ClientSecret),
                Next(mapping.PrivateKey), Next(mapping.KeyId), credential.NextCreatedAt ?? credential.CurrentCreatedAt ?? default)
            : null;
        context.Response.Headers.CacheControl = "no-store";
        var body = new ConsumerCredentialSetResponse(new ConsumerCredentialSetDto(
            set.RotationId,
            set.Type.ToSlug(),
            scope.ProjectId,
            scope.Environment,
            scope.Path,
            currentVersion,
            new ConsumerSecretsMappingDto(mapping.ClientId, mapping.ClientSecret, mapping.PrivateKey, mapping.KeyId),
            current,
            next,
            set.Secrets.Values.Max(s => s.UpdatedAt) ?? default));
        return TypedResults.Json(body, ConsumerJsonContext.Api.ConsumerCredentialSetResponse);
    }

    private static ConsumerSecretDto ToDto(MappedSecret secret, ReadScope scope) => new(
        secret.Key,
        scope.ProjectId,
        scope.Environment,
        scope.Path,
        new ConsumerSecretVersionDto(secret.Current!, secret.CurrentVersionId!.Value, secret.CurrentVersion ?? 0, secret.CurrentCreatedAt ?? default),
        secret is { Next: { } next, NextVersionId: { } nextId }
            ? new ConsumerSecretVersionDto(next, nextId, secret.NextVersion ?? 0, secret.NextCreatedAt ?? default)
            : null,
        secret.UpdatedAt ?? default);

    /// <summary>Validates the query (400 with every field error) and the token's secrets:read scope (403).</summary>
    private static (ReadScope Scope, IResult? Problem) CheckScope(
        ClaimsPrincipal user,
        string? projectId,
        string? environment,
        string? secretPath,
        Dictionary<string, string[]>? extraErrors)
    {
        var project = Guid.Empty;
        var path = "/";
        var errors = extraErrors;
        if (!Guid.TryParse(projectId, out project))
        {
            (errors ??= new()).Add("projectId", [string.IsNullOrWhiteSpace(projectId) ? "projectId is required." : "projectId must be a UUID."]);
        }

        if (string.IsNullOrWhiteSpace(environment))
        {
            (errors ??= new()).Add("environment", ["environment is required (an environment slug such as dev)."]);
        }

        if (secretPath is not null && !FolderPath.TryNormalize(secretPath, out path, out var pathError))
        {
            (errors ??= new()).Add("secretPath", [pathError!]);
        }

        if (errors is not null)
        {
            return (default, ApiResults.ValidationProblem(errors));
        }

        var scope = new ReadScope(project, environment!.Trim(), path);
        return ApiAccess.Allows(user, ApiPermissions.SecretsRead, scope.ProjectId, scope.Environment, scope.Path)
            ? (scope, null)
            : (scope, ApiResults.Forbidden("The API token may not read secrets at this project, environment and path: it needs secrets:read there."));
    }

    private readonly record struct ReadScope(Guid ProjectId, string Environment, string Path);
}
