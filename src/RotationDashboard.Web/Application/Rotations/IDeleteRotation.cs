using RotationDashboard.Core.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>See <see cref="DeleteRotation"/>.</summary>
public interface IDeleteRotation
{
    Task<OperationResult<RotationView>> ExecuteAsync(Guid id, bool revokeGeneratedCredentials, bool deleteSecrets, DashboardUser user, CancellationToken cancellationToken = default);
}
