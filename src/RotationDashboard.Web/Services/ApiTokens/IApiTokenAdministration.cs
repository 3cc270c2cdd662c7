using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Services.ApiTokens;

/// <summary>What the Settings page does with API tokens; the narrow seam lets component tests render it with a fake.</summary>
public interface IApiTokenAdministration
{
    Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken = default);

    Task<OperationResult<IssuedApiToken>> CreateAsync(
        string name, IReadOnlyList<ApiTokenScope> scopes, DateTimeOffset? expiresAt, DashboardUser user, CancellationToken cancellationToken = default);

    Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default);
}
