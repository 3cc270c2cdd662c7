using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>Rotates now (UI "Rotate now" and API rotate-secrets).</summary>
public sealed class RotateNow(RotationEngine engine, PermissionGuard guard, RotationQueries queries) : IRotateNow
{
    /// <summary>
    /// Starts a run now (trigger <see cref="RunTrigger.Manual"/> from the UI, <see cref="RunTrigger.Api"/> from the
    /// API). With <paramref name="waitForCompletion"/> it returns after the run ended (or waits in Retire), like
    /// seed 002's <c>rotate-secrets</c>; without, at once, and the caller follows the run through
    /// <see cref="IRotationRunNotifier"/>. A run already under way gives Conflict ("already rotating").
    /// A run that failed is still a successful call: see <see cref="RunView.Status"/> and the rotation's message.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:write there.</exception>
    public async Task<OperationResult<RotateNowResult>> ExecuteAsync(
        Guid id,
        RunTrigger trigger,
        DashboardUser user,
        bool waitForCompletion,
        CancellationToken cancellationToken = default)
    {
        if (trigger is not (RunTrigger.Manual or RunTrigger.Api))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Rotate now is a manual or an API trigger.");
        }

        var view = await queries.GetAsync(id, cancellationToken);
        await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, RotationLocation.Of(view), AuditActions.RotationRotate, "rotate credentials",
            new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), view?.Name), cancellationToken);
        var start = await engine.StartAsync(id, trigger, user.Actor, cancellationToken: cancellationToken);
        switch (start.Status)
        {
            case RunStartStatus.NotFound:
                return OperationResult<RotateNowResult>.NotFound("The rotation does not exist.");
            case RunStartStatus.Started or RunStartStatus.Resumed:
                break;
            default:
                return OperationResult<RotateNowResult>.Conflict(start.Message ?? "A rotation is already in progress.");
        }

        if (waitForCompletion)
        {
            await start.Completion.WaitAsync(cancellationToken);
        }

        var run = await queries.GetRunAsync(start.RunId!.Value, cancellationToken);
        var rotation = await queries.GetAsync(id, cancellationToken);
        return rotation is null || run is null
            ? OperationResult<RotateNowResult>.NotFound("The rotation was deleted meanwhile.")
            : OperationResult.Success(new RotateNowResult(run, rotation, start.Status == RunStartStatus.Resumed));
    }
}
