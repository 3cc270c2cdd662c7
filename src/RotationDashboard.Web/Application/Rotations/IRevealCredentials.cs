using RotationDashboard.Core.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>See <see cref="RevealCredentials"/> (checked and audited there, whoever calls it).</summary>
public interface IRevealCredentials
{
    Task<OperationResult<GeneratedCredentialsView>> ExecuteAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default);
}
