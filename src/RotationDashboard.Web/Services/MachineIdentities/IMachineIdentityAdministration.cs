using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Services.MachineIdentities;

/// <summary>What the Settings page does with machine identities; the narrow seam lets component tests use a fake.</summary>
public interface IMachineIdentityAdministration
{
    Task<IReadOnlyList<MachineIdentityView>> ListAsync(CancellationToken cancellationToken = default);

    Task<OperationResult<MachineIdentityView>> CreateAsync(
        string name, IReadOnlyList<ApiTokenScope> scopes, int? accessTokenTtlSeconds, int? accessTokenMaxTtlSeconds, DashboardUser user,
        CancellationToken cancellationToken = default);

    Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default);

    Task<OperationResult<(IssuedClientSecret Issued, MachineIdentityView Identity)>> CreateClientSecretAsync(
        Guid identityId, string? description, int? ttlSeconds, DashboardUser user, CancellationToken cancellationToken = default);

    Task<OperationResult<ClientSecretView>> RevokeClientSecretAsync(
        Guid identityId, Guid clientSecretId, DashboardUser user, CancellationToken cancellationToken = default);
}
