using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Dashboard;

/// <summary>What the rotation list and the dashboard's counts read (<see cref="Rotations.RotationQueries"/>); a seam for component tests.</summary>
public interface IRotationListReads
{
    Task<PagedResult<RotationListItem>> QueryAsync(RotationDashboardQuery query, CancellationToken cancellationToken = default);

    Task<RotationSummary> GetSummaryAsync(Guid? projectId = null, CancellationToken cancellationToken = default);
}

/// <summary>The connections the rotation list offers as a filter (<see cref="Connections.ConnectionQueries"/>).</summary>
public interface IConnectionListReads
{
    Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default);
}
