using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Secrets;

/// <summary>
/// A named secret in a folder, with its versions. Stage rules:
/// <list type="bullet">
/// <item><see cref="SetValue"/>: the new version becomes Current, the old Current becomes Previous, the old
/// Previous is Archived.</item>
/// <item><see cref="PublishNext"/>: the new version becomes Next; an unpromoted Next is Archived.</item>
/// <item><see cref="PromoteNext"/>: Next becomes Current, Current becomes Previous, Previous is Archived.</item>
/// <item><see cref="DiscardNext"/>: Next is Archived (a rolled-back rotation); Current is unchanged.</item>
/// </list>
/// A secret owned by a rotation accepts writes only from that rotation; manual edits, renames and deletes
/// throw <see cref="RotationOwnedSecretException"/>. Validation failures change nothing.
/// Stage logic needs the non-archived versions loaded; archived ones may be left out.
/// </summary>
public sealed class Secret
{
    public const int MaxValueLength = 64 * 1024;

    private readonly List<SecretVersion> _versions = [];

    private Secret()
    {
        Key = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid FolderId { get; private set; }

    public string Key { get; private set; }

    /// <summary>The rotation that manages this secret, or null for a manual secret.</summary>
    public Guid? OwnerRotationId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The highest version number handed out (versions are numbered from 1).</summary>
    public int LatestVersion { get; private set; }

    /// <summary>Optimistic-concurrency token, incremented by the persistence layer on every save.</summary>
    public long RowVersion { get; private set; }

    public IReadOnlyCollection<SecretVersion> Versions => _versions;

    public bool IsOwnedByRotation => OwnerRotationId is not null;

    public SecretVersion? CurrentVersion => VersionIn(SecretStage.Current);

    public SecretVersion? NextVersion => VersionIn(SecretStage.Next);

    public SecretVersion? PreviousVersion => VersionIn(SecretStage.Previous);

    public static ValidationErrors ValidateValue(string? value, string field = "value", ValidationErrors? errors = null)
    {
        errors ??= new ValidationErrors();
        if (value is null)
        {
            errors.Add(field, "Value is required.");
        }
        else if (value.Length > MaxValueLength)
        {
            errors.Add(field, $"Value must be at most {MaxValueLength} characters.");
        }

        return errors;
    }

    /// <summary>Creates a secret with its first (Current) version. A rotation author makes the rotation its owner.</summary>
    /// <exception cref="DomainValidationException">The key or value is invalid.</exception>
    public static Secret Create(
        Guid folderId,
        string key,
        string value,
        SecretAuthor author,
        ISecretProtector protector,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(author);
        var errors = SecretKey.Validate(key);
        ValidateValue(value, errors: errors).ThrowIfAny();

        var secret = CreateEmpty(folderId, key, author.RotationId, now);
        secret.AddVersion(value, SecretStage.Current, author, protector, now);
        return secret;
    }

    /// <summary>
    /// Creates a rotation-owned secret with no value yet, for flows that publish NEXT before anything is Current.
    /// </summary>
    public static Secret CreateForRotation(Guid folderId, string key, Guid rotationId, DateTimeOffset now)
    {
        SecretKey.Validate(key).ThrowIfAny();
        return CreateEmpty(folderId, key, rotationId, now);
    }

    /// <summary>Decrypts one of this secret's versions.</summary>
    /// <exception cref="SecretDecryptionException">The stored blob cannot be decrypted.</exception>
    public string Reveal(SecretVersion version, ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.SecretId != Id)
        {
            throw new ArgumentException("The version belongs to another secret.", nameof(version));
        }

        return protector.UnprotectString(version.EncryptedValue, ProtectionPurposes.SecretVersionValue(Id, version.Id));
    }

    public string? RevealCurrent(ISecretProtector protector) =>
        CurrentVersion is { } current ? Reveal(current, protector) : null;

    public string? RevealNext(ISecretProtector protector) =>
        NextVersion is { } next ? Reveal(next, protector) : null;

    /// <summary>Writes a new Current version; the old Current is kept as Previous.</summary>
    /// <exception cref="RotationOwnedSecretException">A manual write to a rotation-owned secret.</exception>
    /// <exception cref="SecretNotOwnedByRotationException">A rotation writing a secret it does not own.</exception>
    /// <exception cref="DomainValidationException">The value is invalid.</exception>
    public SecretVersion SetValue(string value, SecretAuthor author, ISecretProtector protector, DateTimeOffset now)
    {
        EnsureWritableBy(author, "edited");
        ValidateValue(value).ThrowIfAny();

        PreviousVersion?.MoveTo(SecretStage.Archived);
        CurrentVersion?.MoveTo(SecretStage.Previous);
        return AddVersion(value, SecretStage.Current, author, protector, now);
    }

    /// <summary>
    /// Publishes <paramref name="value"/> as Next. An existing Next with the same value is returned unchanged
    /// (so a resumed run can repeat the step); a different unpromoted Next is archived.
    /// </summary>
    public SecretVersion PublishNext(string value, SecretAuthor author, ISecretProtector protector, DateTimeOffset now)
    {
        EnsureWritableBy(author, "edited");
        ValidateValue(value).ThrowIfAny();

        if (NextVersion is { } existing)
        {
            if (string.Equals(Reveal(existing, protector), value, StringComparison.Ordinal))
            {
                return existing;
            }

            existing.MoveTo(SecretStage.Archived);
        }

        return AddVersion(value, SecretStage.Next, author, protector, now);
    }

    /// <summary>Makes Next the Current version; the old Current becomes Previous, the old Previous is archived.</summary>
    /// <exception cref="SecretStageException">There is no Next version.</exception>
    public SecretVersion PromoteNext(SecretAuthor author, DateTimeOffset now)
    {
        EnsureWritableBy(author, "edited");
        var next = NextVersion
            ?? throw new SecretStageException($"Secret \"{Key}\" has no NEXT version to promote.");

        PreviousVersion?.MoveTo(SecretStage.Archived);
        CurrentVersion?.MoveTo(SecretStage.Previous);
        next.MoveTo(SecretStage.Current);
        Touch(now);
        return next;
    }

    /// <summary>
    /// Withdraws an unpromoted Next (a rotation rolled back): it is archived, Current stays as it is.
    /// Returns the discarded version, or null when there was none (so a repeated rollback is a no-op).
    /// </summary>
    public SecretVersion? DiscardNext(SecretAuthor author, DateTimeOffset now)
    {
        EnsureWritableBy(author, "edited");
        if (NextVersion is not { } next)
        {
            return null;
        }

        next.MoveTo(SecretStage.Archived);
        Touch(now);
        return next;
    }

    /// <exception cref="RotationOwnedSecretException">The secret is managed by a rotation.</exception>
    /// <exception cref="DomainValidationException">The new key is invalid.</exception>
    public void Rename(string newKey, SecretAuthor author, DateTimeOffset now)
    {
        EnsureWritableBy(author, "renamed");
        var normalized = SecretKey.Normalize(newKey);
        if (!string.Equals(normalized, Key, StringComparison.Ordinal))
        {
            Key = normalized;
            Touch(now);
        }
    }

    /// <summary>Checks that <paramref name="author"/> may delete this secret.</summary>
    /// <exception cref="RotationOwnedSecretException">A manual delete of a rotation-owned secret.</exception>
    public void EnsureCanBeDeletedBy(SecretAuthor author) => EnsureWritableBy(author, "deleted");

    /// <summary>Hands the secret back to manual editing (the rotation was deleted but its secrets kept).</summary>
    public void ReleaseFromRotation(Guid rotationId, DateTimeOffset now)
    {
        if (OwnerRotationId != rotationId)
        {
            throw new SecretNotOwnedByRotationException(Key, rotationId);
        }

        OwnerRotationId = null;
        Touch(now);
    }

    public override string ToString() => $"Secret {Key} (v{CurrentVersion?.Version.ToString() ?? "-"})";

    private static Secret CreateEmpty(Guid folderId, string key, Guid? ownerRotationId, DateTimeOffset now)
    {
        var utcNow = now.ToUniversalTime();
        return new Secret
        {
            Id = Guid.NewGuid(),
            FolderId = folderId,
            Key = key.Trim(),
            OwnerRotationId = ownerRotationId,
            CreatedAt = utcNow,
            UpdatedAt = utcNow,
        };
    }

    private void EnsureWritableBy(SecretAuthor author, string operation)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (author.RotationId is { } rotationId)
        {
            if (OwnerRotationId != rotationId)
            {
                throw new SecretNotOwnedByRotationException(Key, rotationId);
            }
        }
        else if (OwnerRotationId is { } owner)
        {
            throw new RotationOwnedSecretException(Key, owner, operation);
        }
    }

    private SecretVersion AddVersion(string value, SecretStage stage, SecretAuthor author, ISecretProtector protector, DateTimeOffset now)
    {
        var versionId = Guid.NewGuid();
        var encrypted = protector.ProtectString(value, ProtectionPurposes.SecretVersionValue(Id, versionId));
        var version = SecretVersion.Create(versionId, Id, LatestVersion + 1, encrypted, stage, author.WrittenBy, now.ToUniversalTime());
        LatestVersion = version.Version;
        _versions.Add(version);
        Touch(now);
        return version;
    }

    private SecretVersion? VersionIn(SecretStage stage) => _versions.SingleOrDefault(v => v.Stage == stage);

    private void Touch(DateTimeOffset now) => UpdatedAt = now.ToUniversalTime();
}
