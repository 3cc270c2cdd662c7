using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;

namespace RotationDashboard.Web.Services.Secrets;

public sealed record ProjectSummary(Guid Id, string Name, string Slug, DateTimeOffset CreatedAt);

public sealed record EnvironmentSummary(Guid Id, Guid ProjectId, string Slug, string Name, int Position);

public sealed record FolderSummary(Guid Id, Guid EnvironmentId, string Path, DateTimeOffset CreatedAt);

/// <summary>A secret's metadata, for lists: nothing here is decrypted.</summary>
public sealed record SecretSummary(
    Guid Id,
    Guid FolderId,
    string Key,
    Guid? OwnerRotationId,
    string? OwnerRotationName,
    int? CurrentVersion,
    bool HasNext,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long RowVersion)
{
    public bool IsOwnedByRotation => OwnerRotationId is not null;
}

/// <summary>One version's metadata (no value).</summary>
public sealed record SecretVersionSummary(Guid Id, int Version, SecretStage Stage, string WrittenBy, DateTimeOffset CreatedAt);

/// <summary>A revealed value. <see cref="ToString"/> never shows it.</summary>
public sealed record RevealedSecret(Guid SecretId, string Key, Guid VersionId, int Version, SecretStage Stage, string Value)
{
    public override string ToString() => $"RevealedSecret {{ Key = {Key}, Version = {Version}, Stage = {Stage}, Value = [redacted] }}";
}

/// <summary>
/// A manual edit: a new key (rename) and/or a new value; null leaves it unchanged. When
/// <see cref="ExpectedRowVersion"/> is given (from <see cref="SecretSummary.RowVersion"/>), the edit fails with a
/// conflict if someone else changed the secret since.
/// </summary>
public sealed record SecretUpdate(string? NewKey = null, string? NewValue = null, long? ExpectedRowVersion = null)
{
    public override string ToString() => $"SecretUpdate {{ NewKey = {NewKey}, NewValue = {(NewValue is null ? "(unchanged)" : "[redacted]")} }}";
}

/// <summary>
/// What a consumer reads: CURRENT and NEXT (either may be missing) with their version ids, numbers and creation
/// times, and when the secret last changed. <see cref="ToString"/> never shows the values.
/// </summary>
public sealed record MappedSecret(
    Guid SecretId,
    string Key,
    string? Current,
    Guid? CurrentVersionId,
    string? Next,
    Guid? NextVersionId,
    int? CurrentVersion = null,
    DateTimeOffset? CurrentCreatedAt = null,
    int? NextVersion = null,
    DateTimeOffset? NextCreatedAt = null,
    DateTimeOffset? UpdatedAt = null)
{
    public override string ToString() =>
        $"MappedSecret {{ Key = {Key}, CurrentVersionId = {CurrentVersionId}, NextVersionId = {NextVersionId}, values = [redacted] }}";
}

/// <summary>
/// A rotation's credential set as a consumer reads it: each mapped secret's CURRENT and NEXT, all read in one
/// transaction, so the client id, the secret or private key and the key id always belong together (no promotion can
/// land between two of them). <see cref="ToString"/> never shows a value.
/// </summary>
public sealed record CredentialSetSnapshot(
    Guid RotationId,
    RotationType Type,
    SecretsMapping Mapping,
    IReadOnlyDictionary<string, MappedSecret> Secrets)
{
    /// <summary>The secret that carries the credential: the client secret or the private key.</summary>
    public MappedSecret? Credential => Secrets.GetValueOrDefault(Mapping.ClientSecret ?? Mapping.PrivateKey ?? string.Empty);

    public override string ToString() =>
        $"CredentialSetSnapshot {{ RotationId = {RotationId}, Type = {Type}, Keys = {string.Join(", ", Secrets.Keys)}, values = [redacted] }}";
}
