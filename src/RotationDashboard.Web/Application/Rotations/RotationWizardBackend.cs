using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>
/// What the rotation wizard asks of the application, in one narrow seam: the choices it offers, the checks that need
/// the database before Next, and create/update. Component tests render the wizard over a fake of it.
/// </summary>
public interface IRotationWizardBackend
{
    Task<IReadOnlyList<ConnectionView>> ListConnectionsAsync(CancellationToken cancellationToken = default);

    Task<OperationResult<ConnectionTestResult>> TestConnectionAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default);

    Task<FolderSummary?> FindFolderAsync(Guid projectId, string environmentSlug, string path, CancellationToken cancellationToken = default);

    Task<ValidationErrors> CheckMappingNamesAsync(Guid folderId, IReadOnlyCollection<string> keys, Guid? exceptRotationId, CancellationToken cancellationToken = default);

    Task<ValidationErrors> CheckApplicationOwnerAsync(Guid connectionId, string clientId, Guid? exceptRotationId, CancellationToken cancellationToken = default);

    Task<RotationView?> FindByNameAsync(Guid projectId, string environmentSlug, string secretPath, string name, CancellationToken cancellationToken = default);

    Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    Task<OperationResult<RotationCreation>> StartCreateAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default);

    Task<OperationResult<RotationView>> UpdateAsync(Guid id, RotationChanges changes, DashboardUser user, long? expectedRowVersion, CancellationToken cancellationToken = default);
}

/// <summary>The wizard's seam over the use cases it calls; it only delegates.</summary>
public sealed class RotationWizardBackend(
    ConnectionQueries connections,
    ValidateConnection validateConnection,
    SecretStoreService store,
    CheckMappingNames checkNames,
    ApplicationOwnership ownership,
    RotationQueries rotations,
    CreateRotation create,
    UpdateRotation update) : IRotationWizardBackend
{
    public Task<IReadOnlyList<ConnectionView>> ListConnectionsAsync(CancellationToken cancellationToken = default) =>
        connections.ListAsync(cancellationToken);

    public Task<OperationResult<ConnectionTestResult>> TestConnectionAsync(Guid connectionId, DashboardUser user, CancellationToken cancellationToken = default) =>
        validateConnection.ExecuteAsync(connectionId, user, cancellationToken);

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        store.ListProjectsAsync(cancellationToken);

    public Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default) =>
        store.ListEnvironmentsAsync(projectId, cancellationToken);

    public Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        store.ListFoldersAsync(environmentId, cancellationToken);

    public Task<FolderSummary?> FindFolderAsync(Guid projectId, string environmentSlug, string path, CancellationToken cancellationToken = default) =>
        store.FindFolderAsync(projectId, environmentSlug, path, cancellationToken);

    public Task<ValidationErrors> CheckMappingNamesAsync(Guid folderId, IReadOnlyCollection<string> keys, Guid? exceptRotationId, CancellationToken cancellationToken = default) =>
        checkNames.ExecuteAsync(folderId, keys, exceptRotationId, cancellationToken);

    public Task<ValidationErrors> CheckApplicationOwnerAsync(Guid connectionId, string clientId, Guid? exceptRotationId, CancellationToken cancellationToken = default) =>
        ownership.CheckAsync(connectionId, clientId, exceptRotationId, cancellationToken);

    public Task<RotationView?> FindByNameAsync(Guid projectId, string environmentSlug, string secretPath, string name, CancellationToken cancellationToken = default) =>
        rotations.GetByNameAsync(projectId, environmentSlug, secretPath, name, cancellationToken);

    public Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default) => rotations.GetAsync(id, cancellationToken);

    public Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => rotations.GetRunAsync(runId, cancellationToken);

    public Task<OperationResult<RotationCreation>> StartCreateAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default) =>
        create.StartAsync(request, user, cancellationToken);

    public Task<OperationResult<RotationView>> UpdateAsync(Guid id, RotationChanges changes, DashboardUser user, long? expectedRowVersion, CancellationToken cancellationToken = default) =>
        update.ExecuteAsync(id, changes, user, expectedRowVersion, cancellationToken);
}
