using Microsoft.AspNetCore.Mvc;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Services.Rotations;
using static RotationDashboard.Web.Api.Rotations.SecretRotationEndpoints;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>
/// The rotation API's changes: create (which issues the first credential and, when that fails, takes everything back
/// and answers 400), patch and delete. Bodies are bound by the framework; a body it cannot read becomes the field-level
/// problem answer in <see cref="ApiInputProblems"/>.
/// </summary>
public static partial class SecretRotationCommandEndpoints
{
    internal static void Map(RouteGroupBuilder group, RotationType type)
    {
        var label = SecretRotationApiMapping.Label(type);
        var suffix = NameSuffix(type);

        group.MapPost("", ([FromBody] CreateSecretRotationRequest body, HttpContext context, CreateRotation create, RotationQueries rotations, DeleteRotation delete,
                    ILoggerFactory loggers, CancellationToken cancellationToken) =>
                CreateAsync(type, body, context, create, rotations, delete, loggers.CreateLogger(typeof(SecretRotationCommandEndpoints)), cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Create" + suffix + "Rotation")
            .WithSummary($"Create an {label} rotation")
            .WithDescription(CreateDescription(type))
            .Accepts<CreateSecretRotationRequest>("application/json")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPatch("/{rotationId:guid}", (Guid rotationId, [FromBody] UpdateSecretRotationRequest body, HttpContext context, RotationQueries rotations, UpdateRotation update,
                    CancellationToken cancellationToken) =>
                UpdateAsync(type, rotationId, body, context, rotations, update, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Update" + suffix + "Rotation")
            .WithSummary($"Update an {label} rotation")
            .WithDescription("Members left out are kept. Turning auto-rotation off clears nextRotationAt and un-schedules the rotation at once. " +
                             "A new secret name in secretsMapping renames the mapped secret. connectionId, projectId, environment, secretPath and type " +
                             "cannot change: sent with the current value they are ignored (Terraform sends them on every update), with another value " +
                             "they are a 400 that says so. The application, mapping and strategy cannot change while a run is under way (400, as in Hanzo KMS). " +
                             Auth0UnavailableDescription)
            .Accepts<UpdateSecretRotationRequest>("application/json")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapDelete("/{rotationId:guid}", (
                    Guid rotationId,
                    string? deleteSecrets,
                    string? revokeGeneratedCredentials,
                    HttpContext context,
                    RotationQueries rotations,
                    DeleteRotation deleteRotation,
                    CancellationToken cancellationToken) =>
                DeleteAsync(type, rotationId, deleteSecrets, revokeGeneratedCredentials, context, rotations, deleteRotation, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Delete" + suffix + "Rotation")
            .WithSummary($"Delete an {label} rotation")
            .WithDescription("deleteSecrets=true also deletes the mapped secrets (otherwise they stay, editable by hand). " +
                             "revokeGeneratedCredentials=true first makes the generated credentials stop working in Auth0 " +
                             "(client secret: Auth0's rotate-secret; Private Key JWT: the rotation's keys are detached and deleted); if that fails, nothing is deleted (400). " +
                             "Both default to false. Returns the deleted rotation.")
            .Produces<SecretRotationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static string CreateDescription(RotationType type) => type == RotationType.Auth0ClientSecret
        ? "Seed 002's request and response (Hanzo KMS). Validates everything before Auth0 is touched (400 names each field; nothing is created), " +
          "then issues the first credential synchronously and maps it to the secrets. strategy is ours: when it is left out the rotation is " +
          "single-phase, Hanzo KMS's behaviour (the old secret stops working at once); staged publishes the new secret as NEXT for " +
          "stagedLeadTimeSeconds before Auth0 switches, so consumers that fall back from CURRENT to NEXT never fail. " +
          "A name already used in the folder is a 400 with Hanzo KMS's message. If the first issuance fails the answer is a 400 with the reason and " +
          "nothing is left behind (no rotation, no secrets; the audit log keeps the attempt), as in Hanzo KMS. " +
          Auth0UnavailableDescription
        : "Ours: rotates Private Key JWT credentials with two keys valid in Auth0 during the overlap (strategy private-key-jwt, the only one). " +
          "secretsMapping has clientId, privateKey (PEM) and keyId. An application that uses a client secret today is switched only with " +
          "switchToPrivateKeyJwt=true (its secret stops working for consumers). If the first issuance fails, the keys it registered are removed " +
          "from Auth0 and nothing is left behind (400 with the reason). Otherwise like the auth0-client-secret create. " +
          Auth0UnavailableDescription;

    private static async Task<IResult> CreateAsync(
        RotationType type,
        CreateSecretRotationRequest input,
        HttpContext context,
        CreateRotation create,
        RotationQueries rotations,
        DeleteRotation delete,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var request = SecretRotationApiMapping.ToCreateRequest(type, input, errors);
        if (request is null)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        var user = DashboardUser.FromPrincipal(context.User);
        var result = await create.ExecuteAsync(request, user, cancellationToken);
        if (!result.Succeeded)
        {
            var path = FolderPath.TryNormalize(request.SecretPath, out var normalized, out _) ? normalized : request.SecretPath;
            return Failure(result.Failure!, new NameConflict(request.Settings.Name, path));
        }

        return result.Value.RotationStatus == RotationStatusFailed
            ? await TakeBackFailedCreateAsync(result.Value, user, rotations, delete, logger)
            : ApiResults.Ok(new SecretRotationResponse(SecretRotationApiMapping.ToDto(result.Value)));
    }

    private const string RotationStatusFailed = "failed";

    /// <summary>
    /// The first issuance failed: as in Hanzo KMS the create fails with the reason and leaves no rotation and no
    /// secrets. Private Key JWT keys the run registered and did not take back are revoked; a client secret is not (Auth0's rotate-secret would
    /// replace the application's working secret, which the failed run left or put back in place). The audit log keeps
    /// the create, the run's outcome and the removal.
    /// </summary>
    private static async Task<IResult> TakeBackFailedCreateAsync(
        RotationView created, DashboardUser user, RotationQueries rotations, DeleteRotation delete, ILogger logger)
    {
        var run = created.LastRotationJobId is { } runId ? await rotations.GetRunAsync(runId, CancellationToken.None) : null;
        var reason = created.LastRotationMessage ?? run?.Message ?? "no reason was recorded.";
        var appliedInAuth0 = run is not null && run.Status != RunStatus.RolledBack
                             && run.Steps.Any(s => s.Name == RunStepName.Apply && s.Status == RunStepStatus.Succeeded);
        var revoke = appliedInAuth0 && created.Type == RotationType.Auth0PrivateKeyJwt.ToSlug();

        // Not cancellable: once started, taking the rotation back must finish even if the caller has gone.
        var removed = await delete.ExecuteAsync(created.Id, revoke, deleteSecrets: true, user, CancellationToken.None);
        LogFirstIssuanceFailed(logger, created.Id, removed.Succeeded, appliedInAuth0);
        if (!removed.Succeeded)
        {
            return ApiResults.Problem(StatusCodes.Status400BadRequest, "Bad Request",
                $"The {created.Type} rotation encountered an issue while generating credentials with the configured inputs: {reason} " +
                $"It could not be removed again ({removed.Failure!.Message}); it is kept with rotationStatus failed: delete it or rotate it again.");
        }

        var auth0Note = appliedInAuth0 && !revoke
            ? " Auth0 already holds the new client secret, which nobody knows now: set the application's secret again in Auth0 before retrying."
            : "";
        return Results.Problem(
            detail: $"The {created.Type} rotation encountered an issue while generating credentials with the configured inputs: {reason} " +
                    "Nothing was created." + auth0Note,
            statusCode: StatusCodes.Status400BadRequest,
            title: "Bad Request",
            extensions: new Dictionary<string, object?> { ["runId"] = run?.Id, ["runStatus"] = run?.Status.ToString() });
    }

    private static async Task<IResult> UpdateAsync(
        RotationType type,
        Guid rotationId,
        UpdateSecretRotationRequest input,
        HttpContext context,
        RotationQueries rotations,
        UpdateRotation update,
        CancellationToken cancellationToken)
    {
        var current = await FindAsync(rotations, rotationId, type, cancellationToken);
        if (current is null)
        {
            return NotFound(type);
        }

        var errors = new ValidationErrors();
        var changes = SecretRotationApiMapping.ToChanges(type, input, current, errors);
        if (changes is null)
        {
            return ApiResults.ValidationProblem(errors.ToDictionary().AsReadOnly());
        }

        var result = await update.ExecuteAsync(rotationId, changes, DashboardUser.FromPrincipal(context.User), cancellationToken: cancellationToken);
        return result.Succeeded
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationApiMapping.ToDto(result.Value)))
            : Failure(result.Failure!, input.Name is null ? null : new NameConflict(input.Name, current.Folder.Path));
    }

    private static async Task<IResult> DeleteAsync(
        RotationType type,
        Guid rotationId,
        string? deleteSecrets,
        string? revokeGeneratedCredentials,
        HttpContext context,
        RotationQueries rotations,
        DeleteRotation deleteRotation,
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

        var result = await deleteRotation.ExecuteAsync(rotationId, revoke, delete, DashboardUser.FromPrincipal(context.User), cancellationToken);
        return result.Succeeded
            ? ApiResults.Ok(new SecretRotationResponse(SecretRotationApiMapping.ToDto(result.Value)))
            : Failure(result.Failure!);
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "First issuance of rotation {RotationId} failed; create answered 400 (rotation removed: {Removed}, Auth0 had been changed: {AppliedInAuth0})")]
    private static partial void LogFirstIssuanceFailed(ILogger logger, Guid rotationId, bool removed, bool appliedInAuth0);
}
