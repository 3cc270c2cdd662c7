using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Consumer;

/// <summary>
/// <c>GET /api/v1/consumer/secrets/{key}?projectId&amp;environment&amp;secretPath</c>: a secret's CURRENT and NEXT
/// values for the services that use them (the client library's <c>DashboardCredentialSource</c>). Needs
/// <c>secrets:read</c> for that project, environment and path (a token limited to <c>/payments</c> reads
/// <c>/payments</c> and below, nothing else: 403). It is on every consumer's hot path: values come from the
/// decrypted-value cache (invalidated on every change), token checks from the token service's cache, and nothing is
/// written per request; reads are audited once an hour per caller and secret (<see cref="ConsumerReadAudit"/>).
/// </summary>
public static class ConsumerSecretEndpoints
{
    public const string Route = "/api/v1/consumer/secrets/{key}";

    public static IEndpointRouteBuilder MapConsumerSecretApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Route, ReadAsync)
            .RequirePermission(ApiPermissions.SecretsRead)
            .WithTags("Consumer")
            .WithName("ReadConsumerSecret")
            .WithSummary("Read a secret's CURRENT and NEXT values")
            .WithDescription("For services that use the rotated credentials. projectId and environment (slug) are required, secretPath " +
                             "defaults to /. Needs an API token with secrets:read limited to (or above) " +
                             "the project, environment and path asked for; another path is a 403. next (null otherwise) is set while a staged or Private Key JWT " +
                             "rotation has published a new value that Auth0 may not accept yet: use current, and next when Auth0 rejects current. " +
                             "Reads are audited once an hour per token and secret, never with the value.")
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
        SecretStoreService store,
        ConsumerReadAudit audit,
        CancellationToken cancellationToken)
    {
        var project = Guid.Empty;
        var path = "/";
        Dictionary<string, string[]>? errors = null;
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
            return ApiResults.ValidationProblem(errors);
        }

        var slug = environment!.Trim();
        if (!ApiAccess.Allows(context.User, ApiPermissions.SecretsRead, project, slug, path))
        {
            return ApiResults.Forbidden("The API token may not read secrets at this project, environment and path: it needs secrets:read there.");
        }

        var secret = await store.GetMappedSecretAsync(project, slug, path, key, cancellationToken);
        if (secret?.Current is null || secret.CurrentVersionId is null)
        {
            return ApiResults.NotFound(secret is null
                ? $"There is no secret \"{key}\" at that project, environment and path."
                : $"Secret \"{key}\" has no current value yet.");
        }

        await audit.RecordAsync(context.User, secret, project, slug, path, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        var body = new ConsumerSecretResponse(new ConsumerSecretDto(
            secret.Key,
            project,
            slug,
            path,
            new ConsumerSecretVersionDto(secret.Current, secret.CurrentVersionId.Value, secret.CurrentVersion ?? 0, secret.CurrentCreatedAt ?? default),
            secret is { Next: { } next, NextVersionId: { } nextId }
                ? new ConsumerSecretVersionDto(next, nextId, secret.NextVersion ?? 0, secret.NextCreatedAt ?? default)
                : null,
            secret.UpdatedAt ?? default));
        return TypedResults.Json(body, ConsumerJsonContext.Api.ConsumerSecretResponse);
    }
}
