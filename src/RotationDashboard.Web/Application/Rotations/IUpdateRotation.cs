using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>See <see cref="UpdateRotation"/>.</summary>
public interface IUpdateRotation
{
    Task<OperationResult<RotationView>> ExecuteAsync(Guid id, RotationChanges changes, DashboardUser user, long? expectedRowVersion = null, CancellationToken cancellationToken = default);
}
