using System.Collections.Concurrent;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;
using static RotationDashboard.Web.Api.Rotations.SecretRotationEndpoints;
using RotationDashboard.Web.Application.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

/// <summary>
/// <c>POST …/{rotationId}/rotate-secrets</c>: starts a run and answers, as Hanzo KMS does, <c>{secretRotation}</c>
/// with 200 once it succeeded, a 500 problem with the reason when it failed, a 400 when a run is already under way.
/// Ours: the run itself as <c>run</c>, and 202 while a run waits (a staged run's lead time) or is still going after
/// <see cref="RotateWaitLimit"/>.
/// </summary>
public static class RotateSecretsEndpoint
{
    /// <summary><c>rotate-secrets</c> answers when the run ends or starts waiting (lead time, grace period), or after this.</summary>
    public static readonly TimeSpan RotateWaitLimit = TimeSpan.FromMinutes(2);

    internal static void Map(RouteGroupBuilder group, RotationType type)
    {
        group.MapPost("/{rotationId:guid}/rotate-secrets", (
                    Guid rotationId,
                    HttpContext context,
                    RotationQueries rotations,
                    RotateNow rotateNow,
                    IRotationRunNotifier notifier,
                    CancellationToken cancellationToken) =>
                RotateAsync(type, rotationId, context, rotations, rotateNow, notifier, cancellationToken))
            .RequirePermission(ApiPermissions.RotationsWrite)
            .WithName("Rotate" + NameSuffix(type) + "RotationSecrets")
            .WithSummary($"Rotate an {SecretRotationApiMapping.Label(type)} rotation's credential now")
            .WithDescription("Starts a run and answers when it has finished (200 {secretRotation, run}), or when it waits (202: a staged run's lead time, " +
                             $"or a run still going after {RotateWaitLimit.TotalSeconds:0} s; follow it at …/{{rotationId}}/runs/{{runId}}). " +
                             "A run whose new credential is live but whose old key could not be removed is a 200 (run message and lastRotationMessage: " +
                             "\"Rotated; clean-up pending: …\"). A run that failed or was rolled back is a 500, as in Hanzo KMS, whose message says why " +
                             "(Auth0 is left working with the previous credential where the strategy allows). A run already under way is a 400, as in Hanzo KMS.")
            .Produces<RotateSecretsResponse>()
            .Produces<RotateSecretsResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
    }

    private static async Task<IResult> RotateAsync(
        RotationType type,
        Guid rotationId,
        HttpContext context,
        RotationQueries rotations,
        RotateNow rotateNow,
        IRotationRunNotifier notifier,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(rotations, rotationId, type, cancellationToken) is null)
        {
            return NotFound(type);
        }

        // Subscribed before the start so the moment the run ends or starts waiting cannot be missed.
        using var settled = new RunSettledWatcher(notifier, rotationId);
        var started = await rotateNow.ExecuteAsync(rotationId, RunTrigger.Api, DashboardUser.FromPrincipal(context.User), waitForCompletion: false, cancellationToken);
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

        var response = new RotateSecretsResponse(SecretRotationApiMapping.ToDto(rotation), SecretRotationApiMapping.ToDto(run));
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
                    statusCode: StatusCodes.Status500InternalServerError,
                    title: "Rotation failed",
                    extensions: new Dictionary<string, object?> { ["runId"] = run.Id, ["runStatus"] = run.Status.ToString() });
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
