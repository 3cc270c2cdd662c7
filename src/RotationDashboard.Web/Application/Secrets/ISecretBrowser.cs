using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Application.Secrets;

/// <summary>
/// What the Secrets page and its dialogs call on the secret store (implemented by <see cref="SecretStoreService"/>),
/// narrow enough for a component test to render them with a fake.
/// </summary>
public interface ISecretBrowser
{
    Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default);

    Task<OperationResult<FolderSummary>> CreateFolderAsync(Guid environmentId, string path, Actor actor, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SecretSummary>> ListSecretsAsync(Guid folderId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SecretVersionSummary>> GetVersionHistoryAsync(Guid secretId, CancellationToken cancellationToken = default);

    Task<OperationResult<RevealedSecret>> RevealAsync(Guid secretId, Guid? versionId, Actor actor, CancellationToken cancellationToken = default);

    Task<OperationResult<SecretSummary>> CreateSecretAsync(Guid folderId, string key, string value, Actor actor, CancellationToken cancellationToken = default);

    Task<OperationResult<SecretSummary>> UpdateSecretAsync(Guid secretId, SecretUpdate update, Actor actor, CancellationToken cancellationToken = default);

    Task<OperationResult> DeleteSecretAsync(Guid secretId, Actor actor, long? expectedRowVersion = null, CancellationToken cancellationToken = default);
}
