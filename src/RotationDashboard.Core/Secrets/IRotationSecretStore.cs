using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Secrets;

/// <summary>The rotation a secret write comes from (its versions are written by <c>rotation:&lt;name&gt;</c>).</summary>
public sealed record RotationIdentity(Guid Id, string Name)
{
    public SecretAuthor Author => SecretAuthor.Rotation(Id, Name);
}

/// <summary>A decrypted secret version. <see cref="ToString"/> never shows the value.</summary>
public sealed record SecretValueSnapshot(Guid SecretId, string Key, Guid VersionId, int Version, SecretStage Stage, string Value)
{
    public override string ToString() => $"SecretValueSnapshot {{ Key = {Key}, Version = {Version}, Stage = {Stage}, Value = [redacted] }}";
}

/// <summary>
/// What the rotation engine needs from the secret store. Multi-key writes are atomic (all mapped secrets
/// change in one transaction, audited in the same save). Secrets a write names that do not exist yet are
/// created owned by the rotation; secrets that exist but belong to someone else are refused (Conflict).
/// </summary>
public interface IRotationSecretStore
{
    Task<SecretValueSnapshot?> ReadCurrentAsync(Guid folderId, string key, CancellationToken cancellationToken = default);

    Task<SecretValueSnapshot?> ReadNextAsync(Guid folderId, string key, CancellationToken cancellationToken = default);

    /// <summary>Publishes each value as NEXT (idempotent for an identical pending NEXT).</summary>
    Task<OperationResult> PublishNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default);

    /// <summary>Promotes NEXT to CURRENT for each key (Conflict when a key has no NEXT).</summary>
    Task<OperationResult> PromoteNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Actor actor,
        CancellationToken cancellationToken = default);

    /// <summary>Withdraws the NEXT version of each key (a rolled-back rotation); keys without NEXT are left as they are.</summary>
    Task<OperationResult> DiscardNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Actor actor,
        CancellationToken cancellationToken = default);

    /// <summary>Writes each value as the new CURRENT (single-phase rotations); the old CURRENT is kept as PREVIOUS.</summary>
    Task<OperationResult> SetCurrentAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default);

    /// <summary>Makes every secret the rotation owns editable by hand again (the rotation is being deleted).</summary>
    Task<OperationResult> ReleaseRotationSecretsAsync(
        RotationIdentity rotation,
        Actor actor,
        CancellationToken cancellationToken = default);
}
