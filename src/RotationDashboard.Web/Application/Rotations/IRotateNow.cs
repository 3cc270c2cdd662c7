using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>See <see cref="RotateNow"/>; the page depends on this so a component test can start a run without the engine.</summary>
public interface IRotateNow
{
    Task<OperationResult<RotateNowResult>> ExecuteAsync(Guid id, RunTrigger trigger, DashboardUser user, bool waitForCompletion, CancellationToken cancellationToken = default);
}
