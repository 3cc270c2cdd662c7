using Microsoft.AspNetCore.Mvc;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Rotations.Bulk;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>The dashboard's list filter, as the bulk API takes it (every member optional).</summary>
public sealed record BulkRotationFilter(
    Guid? ProjectId = null,
    Guid? EnvironmentId = null,
    Guid? ConnectionId = null,
    RotationListFilter? Status = null,
    RotationStrategy? Strategy = null,
    string? Search = null);

/// <summary><c>connectionId</c> (every rotation of it) or <c>filter</c>, and optionally the count the caller confirmed.</summary>
public sealed record BulkRotateRequest(Guid? ConnectionId = null, BulkRotationFilter? Filter = null, int? ExpectedCount = null);

public sealed record BulkRotatePreviewResponse(int Count, string Description, string? ConnectionName, double RequestsPerSecond, int MaxInFlight);

public sealed record BulkOnboardRequest(
    Guid ConnectionId,
    IReadOnlyList<string>? ClientIds,
    Guid ProjectId,
    string? Environment,
    string? SecretPath = "/",
    RotationType Type = RotationType.Auth0ClientSecret,
    RotationStrategy? Strategy = null,
    string? NamePattern = null,
    string? SecretNamePattern = null,
    string? ClientIdNamePattern = null,
    string? KeyIdNamePattern = null,
    bool IsAutoRotationEnabled = true,
    int RotationInterval = 30,
    bool SwitchToPrivateKeyJwt = false);

public sealed record BulkOnboardPreviewResponse(IReadOnlyList<OnboardingPlanItem> Applications);

/// <summary>
/// Bulk rotation (incident response: rotate every rotation of a connection, or of a filter, now) and bulk onboarding,
/// next to the rotation API. Both answer 202 with the bulk operation, whose progress and summary are at
/// <c>GET …/bulk-operations/{id}</c>. Rotating needs <c>rotations:write</c> for every rotation of the set (checked
/// before any run starts); onboarding needs it where the rotations are created.
/// </summary>
public static class BulkRotationEndpoints
{
    internal static void Map(RouteGroupBuilder root)
    {
        root.MapPost("/bulk-rotate/preview", ([FromBody] BulkRotateRequest body, StartBulkRotation start, CancellationToken cancellationToken) =>
                PreviewAsync(body, start, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("PreviewBulkRotation")
            .WithSummary("How many rotations a bulk rotation would cover, at what pace")
            .Produces<BulkRotatePreviewResponse>()
            .ProducesValidationProblem();

        root.MapPost("/bulk-rotate", ([FromBody] BulkRotateRequest body, HttpContext context, StartBulkRotation start, GetBulkOperation get, CancellationToken cancellationToken) =>
                RotateAsync(body, context, start, get, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("StartBulkRotation")
            .WithSummary("Rotate every rotation of a connection, or of a filter, now")
            .WithDescription("Each rotation is its own run (one failure does not stop the others), paced by the tenant's Management API budget " +
                             "(Auth0Client:Tenants or Auth0Client:ManagementRequestsPerSecondPerTenant). Send connectionId, or filter (the dashboard's " +
                             "filters: projectId, environmentId, connectionId, status, strategy, search), or both. expectedCount, when sent, must equal the " +
                             "size of the set now (409 otherwise). The token needs rotations:write for every rotation of the set (403 before anything starts). " +
                             "Answers 202 with the operation; follow it at bulk-operations/{id}.")
            .Produces<BulkOperationView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        root.MapGet("/bulk-operations/{id:guid}", async (Guid id, GetBulkOperation get, CancellationToken cancellationToken) =>
                await get.ExecuteAsync(id, cancellationToken) is { } view
                    ? ApiResults.Ok(view)
                    : ApiResults.NotFound("No bulk operation with this id exists."))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("GetBulkOperation")
            .WithSummary("A bulk operation's progress (per rotation: queued, running, succeeded, failed with the reason) or summary")
            .Produces<BulkOperationView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        root.MapGet("/bulk-operations", async (int? take, GetBulkOperation get, CancellationToken cancellationToken) =>
                ApiResults.Ok(await get.ListAsync(take ?? 20, cancellationToken)))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("ListBulkOperations")
            .WithSummary("The latest bulk operations with their counts, newest first")
            .Produces<IReadOnlyList<BulkOperationView>>();

        root.MapPost("/bulk-onboard/preview", ([FromBody] BulkOnboardRequest body, HttpContext context, OnboardApplications onboard, CancellationToken cancellationToken) =>
                OnboardPreviewAsync(body, context, onboard, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsRead)
            .WithName("PreviewBulkOnboarding")
            .WithSummary("The names each application would get, and what stops each one")
            .Produces<BulkOnboardPreviewResponse>()
            .ProducesValidationProblem();

        root.MapPost("/bulk-onboard", ([FromBody] BulkOnboardRequest body, HttpContext context, OnboardApplications onboard, GetBulkOperation get, CancellationToken cancellationToken) =>
                OnboardAsync(body, context, onboard, get, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("StartBulkOnboarding")
            .WithSummary("Create rotations for many applications of a tenant in one go")
            .WithDescription("Patterns name each rotation and its secrets: {app} is the application's name as a slug, {APP} as an environment variable, " +
                             "{clientId} its client id (defaults: {app}-rotation, {APP}_CLIENT_ID, {APP}_CLIENT_SECRET; Private Key JWT: secretNamePattern names " +
                             "the private key, default {APP}_PRIVATE_KEY, and keyIdNamePattern {APP}_KEY_ID). Everything is validated first: one application " +
                             "that cannot be onboarded (name taken, secret name taken, owned by another rotation, not in the tenant, a duplicate in the request) " +
                             "is a 400 with errors under applications[clientId], and nothing is created. Otherwise 202 with the operation.")
            .Produces<BulkOperationView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> PreviewAsync(BulkRotateRequest body, StartBulkRotation start, CancellationToken cancellationToken)
    {
        if (ToSet(body) is not { } set)
        {
            return MissingSet();
        }

        var preview = await start.PreviewAsync(set, cancellationToken);
        return ApiResults.FromOperationResult(preview, p => new BulkRotatePreviewResponse(p.Count, p.Description, p.ConnectionName, p.RequestsPerSecond, p.MaxInFlight));
    }

    private static async Task<IResult> RotateAsync(BulkRotateRequest body, HttpContext context, StartBulkRotation start, GetBulkOperation get, CancellationToken cancellationToken)
    {
        if (ToSet(body) is not { } set)
        {
            return MissingSet();
        }

        var started = await start.ExecuteAsync(set, DashboardUser.FromPrincipal(context.User), RunTrigger.Api, body.ExpectedCount, cancellationToken);
        return await AcceptedAsync(started, get, cancellationToken);
    }

    private static async Task<IResult> OnboardPreviewAsync(BulkOnboardRequest body, HttpContext context, OnboardApplications onboard, CancellationToken cancellationToken)
    {
        var planned = await onboard.PlanAsync(ToRequest(body), DashboardUser.FromPrincipal(context.User), cancellationToken);
        return ApiResults.FromOperationResult(planned, plan => new BulkOnboardPreviewResponse(plan));
    }

    private static async Task<IResult> OnboardAsync(BulkOnboardRequest body, HttpContext context, OnboardApplications onboard, GetBulkOperation get, CancellationToken cancellationToken)
    {
        var started = await onboard.ExecuteAsync(ToRequest(body), DashboardUser.FromPrincipal(context.User), cancellationToken);
        return await AcceptedAsync(started, get, cancellationToken);
    }

    private static async Task<IResult> AcceptedAsync(OperationResult<Guid> started, GetBulkOperation get, CancellationToken cancellationToken)
    {
        if (!started.Succeeded)
        {
            return ApiResults.FromFailure(started.Failure!);
        }

        var view = await get.ExecuteAsync(started.Value, cancellationToken);
        return Results.Json(view, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult MissingSet() =>
        ApiResults.ValidationProblem("connectionId", "Send connectionId (every rotation of that connection) or filter (the dashboard's filters).");

    private static BulkRotationSet? ToSet(BulkRotateRequest body)
    {
        if (body.ConnectionId is null && body.Filter is null)
        {
            return null;
        }

        var filter = body.Filter is { } f
            ? new RotationDashboardQuery
            {
                ProjectId = f.ProjectId,
                EnvironmentId = f.EnvironmentId,
                ConnectionId = f.ConnectionId,
                Filter = f.Status ?? RotationListFilter.All,
                Strategy = f.Strategy,
                Search = f.Search,
            }
            : null;
        return new BulkRotationSet { ConnectionId = body.ConnectionId, Filter = filter };
    }

    private static BulkOnboardingRequest ToRequest(BulkOnboardRequest body) => new()
    {
        ConnectionId = body.ConnectionId,
        ClientIds = body.ClientIds ?? [],
        ProjectId = body.ProjectId,
        Environment = body.Environment ?? string.Empty,
        SecretPath = body.SecretPath ?? "/",
        Type = body.Type,
        Strategy = body.Strategy,
        NamePattern = body.NamePattern ?? OnboardingPatterns.DefaultName,
        SecretNamePattern = body.SecretNamePattern ?? (body.Type == RotationType.Auth0PrivateKeyJwt ? OnboardingPatterns.DefaultPrivateKey : OnboardingPatterns.DefaultClientSecret),
        ClientIdNamePattern = body.ClientIdNamePattern ?? OnboardingPatterns.DefaultClientId,
        KeyIdNamePattern = body.KeyIdNamePattern ?? OnboardingPatterns.DefaultKeyId,
        IsAutoRotationEnabled = body.IsAutoRotationEnabled,
        RotationInterval = body.RotationInterval,
        SwitchToPrivateKeyJwt = body.SwitchToPrivateKeyJwt,
    };
}
