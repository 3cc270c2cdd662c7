using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>The reads a rotation's detail page makes (implemented by <see cref="RotationQueries"/>), narrow so components can be tested with a fake.</summary>
public interface IRotationDetailReads
{
    Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    Task<PagedResult<RunView>> GetRunsAsync(Guid rotationId, int skip = 0, int take = 20, CancellationToken cancellationToken = default);

    Task<GeneratedCredentialsView?> GetCredentialSlotsAsync(Guid id, CancellationToken cancellationToken = default);
}
