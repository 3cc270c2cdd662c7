using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Application.Secrets;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.ComponentTests.Secrets;

/// <summary>
/// One project with dev and prod, a root folder in each, secrets and their values in memory. Reveals are recorded as
/// the real store audits them (who, which secret, which version).
/// </summary>
public sealed class FakeSecretBrowser : ISecretBrowser
{
    public FakeSecretBrowser()
    {
        Project = new ProjectSummary(Guid.NewGuid(), "Payments", "payments", DateTimeOffset.UtcNow);
        Dev = new EnvironmentSummary(Guid.NewGuid(), Project.Id, "dev", "Development", 0);
        Prod = new EnvironmentSummary(Guid.NewGuid(), Project.Id, "prod", "Production", 1);
        Folders.Add(new FolderSummary(Guid.NewGuid(), Dev.Id, "/", DateTimeOffset.UtcNow));
        Folders.Add(new FolderSummary(Guid.NewGuid(), Prod.Id, "/", DateTimeOffset.UtcNow));
    }

    public ProjectSummary Project { get; }

    public EnvironmentSummary Dev { get; }

    public EnvironmentSummary Prod { get; }

    public List<FolderSummary> Folders { get; } = [];

    public List<SecretSummary> Secrets { get; } = [];

    public Dictionary<Guid, string> Values { get; } = [];

    public List<SecretVersionSummary> Versions { get; } = [];

    public List<(Actor Actor, Guid SecretId, Guid? VersionId)> Reveals { get; } = [];

    public List<Guid> Deleted { get; } = [];

    /// <summary>When set, listing secrets waits for it (the loading state) or fails with its exception (the error state).</summary>
    public TaskCompletionSource? ListGate { get; set; }

    public Func<string, string, OperationResult<SecretSummary>>? Create { get; set; }

    public Func<string, OperationResult<FolderSummary>>? CreateFolder { get; set; }

    public FolderSummary Root(EnvironmentSummary environment) => Folders.First(f => f.EnvironmentId == environment.Id && f.Path == "/");

    public SecretSummary Add(string key, string value, EnvironmentSummary? environment = null, string? ownerRotation = null)
    {
        var secret = new SecretSummary(Guid.NewGuid(), Root(environment ?? Dev).Id, key, ownerRotation is null ? null : Guid.NewGuid(), ownerRotation,
            1, false, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1), 7);
        Secrets.Add(secret);
        Values[secret.Id] = value;
        return secret;
    }

    public Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProjectSummary>>([Project]);

    public Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<EnvironmentSummary>>(projectId == Project.Id ? [Dev, Prod] : []);

    public Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<FolderSummary>>(Folders.Where(f => f.EnvironmentId == environmentId).OrderBy(f => f.Path).ToList());

    public Task<OperationResult<FolderSummary>> CreateFolderAsync(Guid environmentId, string path, Actor actor, CancellationToken cancellationToken = default)
    {
        var result = CreateFolder?.Invoke(path) ?? OperationResult.Success(new FolderSummary(Guid.NewGuid(), environmentId, path, DateTimeOffset.UtcNow));
        if (result.Succeeded)
        {
            Folders.Add(result.Value);
        }

        return Task.FromResult(result);
    }

    public async Task<IReadOnlyList<SecretSummary>> ListSecretsAsync(Guid folderId, CancellationToken cancellationToken = default)
    {
        if (ListGate is { } gate)
        {
            await gate.Task;
        }

        return Secrets.Where(s => s.FolderId == folderId).ToList();
    }

    public Task<IReadOnlyList<SecretVersionSummary>> GetVersionHistoryAsync(Guid secretId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SecretVersionSummary>>(Versions.ToList());

    public Task<OperationResult<RevealedSecret>> RevealAsync(Guid secretId, Guid? versionId, Actor actor, CancellationToken cancellationToken = default)
    {
        Reveals.Add((actor, secretId, versionId));
        var secret = Secrets.Single(s => s.Id == secretId);
        var version = versionId is { } id ? Versions.Single(v => v.Id == id) : new SecretVersionSummary(Guid.NewGuid(), 1, SecretStage.Current, "ada", DateTimeOffset.UtcNow);
        var value = versionId is { } vid ? $"{Values[secretId]}-v{version.Version}" : Values[secretId];
        return Task.FromResult(OperationResult.Success(new RevealedSecret(secretId, secret.Key, version.Id, version.Version, version.Stage, value)));
    }

    public Task<OperationResult<SecretSummary>> CreateSecretAsync(Guid folderId, string key, string value, Actor actor, CancellationToken cancellationToken = default)
    {
        if (Create?.Invoke(key, value) is { Succeeded: false } refused)
        {
            return Task.FromResult(refused);
        }

        var secret = new SecretSummary(Guid.NewGuid(), folderId, key, null, null, 1, false, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1);
        Secrets.Add(secret);
        Values[secret.Id] = value;
        return Task.FromResult(OperationResult.Success(secret));
    }

    public Task<OperationResult<SecretSummary>> UpdateSecretAsync(Guid secretId, SecretUpdate update, Actor actor, CancellationToken cancellationToken = default)
    {
        var index = Secrets.FindIndex(s => s.Id == secretId);
        var secret = Secrets[index] with { Key = update.NewKey ?? Secrets[index].Key, CurrentVersion = Secrets[index].CurrentVersion + 1 };
        Secrets[index] = secret;
        if (update.NewValue is { } value)
        {
            Values[secretId] = value;
        }

        return Task.FromResult(OperationResult.Success(secret));
    }

    public Task<OperationResult> DeleteSecretAsync(Guid secretId, Actor actor, long? expectedRowVersion = null, CancellationToken cancellationToken = default)
    {
        Deleted.Add(secretId);
        Secrets.RemoveAll(s => s.Id == secretId);
        return Task.FromResult(OperationResult.Success());
    }
}
