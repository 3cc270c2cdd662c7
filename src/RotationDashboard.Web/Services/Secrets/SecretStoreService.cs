using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// The built-in secret store: projects, environments, folders and secrets for the UI and the API, and the
/// <see cref="IRotationSecretStore"/> the rotation engine writes through. Every write and every reveal adds
/// its audit event to the same SaveChanges as the change; audit entries never carry a value. Validation
/// failures return field errors and change nothing.
/// </summary>
public sealed partial class SecretStoreService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    SecretValueCache cache,
    TimeProvider timeProvider,
    ILogger<SecretStoreService> logger) : IRotationSecretStore
{
    private const string ConcurrencyConflictMessage =
        "The secret was changed by someone else in the meantime. Reload it and try again.";

    // ---- Projects, environments, folders -------------------------------------------------------------

    public async Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Projects.AsNoTracking()
            .OrderBy(p => p.Name)
            .Select(p => new ProjectSummary(p.Id, p.Name, p.Slug, p.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<EnvironmentSummary>> ListEnvironmentsAsync(Guid projectId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Environments.AsNoTracking()
            .Where(e => e.ProjectId == projectId)
            .OrderBy(e => e.Position).ThenBy(e => e.Slug)
            .Select(e => new EnvironmentSummary(e.Id, e.ProjectId, e.Slug, e.Name, e.Position))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FolderSummary>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Folders.AsNoTracking()
            .Where(f => f.EnvironmentId == environmentId)
            .OrderBy(f => f.Path)
            .Select(f => new FolderSummary(f.Id, f.EnvironmentId, f.Path, f.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The folder at <paramref name="path"/> of a project's environment (null when missing or the path is invalid).</summary>
    public async Task<FolderSummary?> FindFolderAsync(
        Guid projectId,
        string environmentSlug,
        string path,
        CancellationToken cancellationToken = default)
    {
        if (!FolderPath.TryNormalize(path, out var normalized, out _))
        {
            return null;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await FoldersAt(db, projectId, environmentSlug, normalized)
            .Select(f => new FolderSummary(f.Id, f.EnvironmentId, f.Path, f.CreatedAt))
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Creates a folder and any missing parent folders (<c>/a/b</c> also creates <c>/a</c>).</summary>
    public async Task<OperationResult<FolderSummary>> CreateFolderAsync(
        Guid environmentId,
        string path,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        if (!FolderPath.TryNormalize(path, out var normalized, out var pathError))
        {
            return OperationResult<FolderSummary>.Invalid("path", pathError!);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Environments.AnyAsync(e => e.Id == environmentId, cancellationToken))
        {
            return OperationResult<FolderSummary>.NotFound("The environment does not exist.");
        }

        var chain = FolderPath.SelfAndAncestors(normalized);
        var existing = await db.Folders
            .Where(f => f.EnvironmentId == environmentId && chain.Contains(f.Path))
            .Select(f => f.Path)
            .ToListAsync(cancellationToken);
        if (existing.Contains(normalized))
        {
            return OperationResult<FolderSummary>.Invalid("path", $"A folder \"{normalized}\" already exists in this environment.");
        }

        var now = timeProvider.GetUtcNow();
        var created = chain.Where(p => !existing.Contains(p)).Select(p => Folder.Create(environmentId, p, now)).ToList();
        db.Folders.AddRange(created);
        var folder = created[^1];
        var parents = created.Count - 1;
        db.AuditEvents.Add(AuditEvent.Record(
            now, actor, AuditActions.FolderCreate, AuditTarget.Folder(folder.Id, folder.Path), AuditOutcome.Success,
            parents > 0 ? $"Also created {parents} parent folder(s)." : null));

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return OperationResult<FolderSummary>.Invalid("path", $"A folder \"{normalized}\" already exists in this environment.");
        }

        return OperationResult.Success(new FolderSummary(folder.Id, folder.EnvironmentId, folder.Path, folder.CreatedAt));
    }

    // ---- Secrets: metadata -----------------------------------------------------------------------------

    /// <summary>The secrets of a folder with their metadata, ordered by key; nothing is decrypted.</summary>
    public async Task<IReadOnlyList<SecretSummary>> ListSecretsAsync(Guid folderId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, db.Secrets.Where(s => s.FolderId == folderId).OrderBy(s => s.Key))
            .ToListAsync(cancellationToken);
    }

    public async Task<SecretSummary?> GetSecretAsync(Guid secretId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, db.Secrets.Where(s => s.Id == secretId)).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>All versions of a secret, newest first, without values (empty when the secret does not exist).</summary>
    public async Task<IReadOnlyList<SecretVersionSummary>> GetVersionHistoryAsync(Guid secretId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.SecretVersions.AsNoTracking()
            .Where(v => v.SecretId == secretId)
            .OrderByDescending(v => v.Version)
            .Select(v => new SecretVersionSummary(v.Id, v.Version, v.Stage, v.WrittenBy, v.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    // ---- Secrets: reveal and manual edits --------------------------------------------------------------

    /// <summary>
    /// Decrypts a version (default: CURRENT) for <paramref name="actor"/>, audited as <c>secret.reveal</c>.
    /// The audit entry is saved before the value is returned.
    /// </summary>
    public async Task<OperationResult<RevealedSecret>> RevealAsync(
        Guid secretId,
        Guid? versionId,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secret = await db.Secrets.AsNoTracking()
            .Include(s => s.Versions.Where(v => versionId == null ? v.Stage == SecretStage.Current : v.Id == versionId))
            .SingleOrDefaultAsync(s => s.Id == secretId, cancellationToken);
        if (secret is null)
        {
            return OperationResult<RevealedSecret>.NotFound("The secret does not exist.");
        }

        var version = secret.Versions.SingleOrDefault();
        if (version is null)
        {
            return OperationResult<RevealedSecret>.NotFound(versionId is null
                ? $"Secret \"{secret.Key}\" has no current value."
                : $"Secret \"{secret.Key}\" has no such version.");
        }

        var now = timeProvider.GetUtcNow();
        var target = AuditTarget.Secret(secret.Id, secret.Key);
        string value;
        try
        {
            value = secret.Reveal(version, protector);
        }
        catch (SecretDecryptionException ex)
        {
            db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretReveal, target, AuditOutcome.Failure,
                $"Version {version.Version} could not be decrypted: {ex.Message}"));
            await db.SaveChangesAsync(cancellationToken);
            LogDecryptionFailed(logger, secret.Id, version.Version, ex.KeyId);
            throw;
        }

        db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretReveal, target, AuditOutcome.Success,
            $"Version {version.Version} ({version.Stage})."));
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult.Success(new RevealedSecret(secret.Id, secret.Key, version.Id, version.Version, version.Stage, value));
    }

    /// <summary>Creates a manual secret in a folder (audited as <c>secret.create</c>).</summary>
    public async Task<OperationResult<SecretSummary>> CreateSecretAsync(
        Guid folderId,
        string key,
        string value,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        var errors = SecretKey.Validate(key);
        Secret.ValidateValue(value, errors: errors);
        if (errors.HasErrors)
        {
            return OperationResult<SecretSummary>.Invalid(errors);
        }

        var normalizedKey = key.Trim();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Folders.AnyAsync(f => f.Id == folderId, cancellationToken))
        {
            return OperationResult<SecretSummary>.NotFound("The folder does not exist.");
        }

        if (await db.Secrets.AnyAsync(s => s.FolderId == folderId && s.Key == normalizedKey, cancellationToken))
        {
            return OperationResult<SecretSummary>.Invalid("key", DuplicateKeyMessage(normalizedKey));
        }

        if ((await MappedSecretNames.FindAsync(db, folderId, [normalizedKey], null, cancellationToken)) is [var (_, reservedBy), ..])
        {
            return OperationResult<SecretSummary>.Invalid("key", MappedSecretNames.ReservedMessage(normalizedKey, reservedBy));
        }

        var now = timeProvider.GetUtcNow();
        var secret = Secret.Create(folderId, normalizedKey, value, SecretAuthor.Manual(actor), protector, now);
        db.Secrets.Add(secret);
        db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretCreate, AuditTarget.Secret(secret.Id, secret.Key),
            AuditOutcome.Success, "Version 1."));

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return OperationResult<SecretSummary>.Invalid("key", DuplicateKeyMessage(normalizedKey));
        }

        return OperationResult.Success(ToSummary(secret, ownerRotationName: null));
    }

    /// <summary>Renames a manual secret and/or writes a new CURRENT value (audited as <c>secret.update</c>).</summary>
    public async Task<OperationResult<SecretSummary>> UpdateSecretAsync(
        Guid secretId,
        SecretUpdate update,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var errors = new ValidationErrors();
        if (update.NewKey is not null)
        {
            SecretKey.Validate(update.NewKey, errors: errors);
        }

        if (update.NewValue is not null)
        {
            Secret.ValidateValue(update.NewValue, errors: errors);
        }

        if (update.NewKey is null && update.NewValue is null)
        {
            errors.Add("value", "Nothing to change: give a new name or a new value.");
        }

        if (errors.HasErrors)
        {
            return OperationResult<SecretSummary>.Invalid(errors);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secret = await SecretsForWrite(db, s => s.Id == secretId).SingleOrDefaultAsync(cancellationToken);
        if (secret is null)
        {
            return OperationResult<SecretSummary>.NotFound("The secret does not exist.");
        }

        if (!MatchesExpectedVersion(db, secret, update.ExpectedRowVersion))
        {
            return OperationResult<SecretSummary>.Conflict(ConcurrencyConflictMessage);
        }

        var now = timeProvider.GetUtcNow();
        var author = SecretAuthor.Manual(actor);
        var target = AuditTarget.Secret(secret.Id, secret.Key);
        if (secret.IsOwnedByRotation)
        {
            return OperationResult<SecretSummary>.Fail(
                await DenyAsync(db, actor, AuditActions.SecretUpdate, target, secret, "edited", cancellationToken));
        }

        var newKey = update.NewKey?.Trim();
        var renamedFrom = newKey is not null && newKey != secret.Key ? secret.Key : null;
        if (renamedFrom is not null
            && await db.Secrets.AnyAsync(s => s.FolderId == secret.FolderId && s.Key == newKey && s.Id != secret.Id, cancellationToken))
        {
            return OperationResult<SecretSummary>.Invalid("key", DuplicateKeyMessage(newKey!));
        }

        if (renamedFrom is not null && (await MappedSecretNames.FindAsync(db, secret.FolderId, [newKey!], null, cancellationToken)) is [var (_, reservedBy), ..])
        {
            return OperationResult<SecretSummary>.Invalid("key", MappedSecretNames.ReservedMessage(newKey!, reservedBy));
        }

        var changes = new List<string>();
        if (renamedFrom is not null)
        {
            secret.Rename(newKey!, author, now);
            changes.Add($"Renamed from \"{renamedFrom}\".");
        }

        if (update.NewValue is not null)
        {
            var version = secret.SetValue(update.NewValue, author, protector, now);
            changes.Add($"New version {version.Version}.");
        }

        db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretUpdate, AuditTarget.Secret(secret.Id, secret.Key),
            AuditOutcome.Success, changes.Count > 0 ? string.Join(' ', changes) : "No change."));

        var failure = await SaveAsync(db, cancellationToken, DuplicateKeyMessage(secret.Key));
        if (failure is not null)
        {
            return OperationResult<SecretSummary>.Fail(failure);
        }

        return OperationResult.Success(ToSummary(secret, ownerRotationName: null));
    }

    /// <summary>Deletes a manual secret and its history (audited as <c>secret.delete</c>).</summary>
    public async Task<OperationResult> DeleteSecretAsync(
        Guid secretId,
        Actor actor,
        long? expectedRowVersion = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secret = await db.Secrets.SingleOrDefaultAsync(s => s.Id == secretId, cancellationToken);
        if (secret is null)
        {
            return OperationResult.NotFound("The secret does not exist.");
        }

        if (!MatchesExpectedVersion(db, secret, expectedRowVersion))
        {
            return OperationResult.Conflict(ConcurrencyConflictMessage);
        }

        var now = timeProvider.GetUtcNow();
        var target = AuditTarget.Secret(secret.Id, secret.Key);
        if (secret.IsOwnedByRotation)
        {
            return OperationResult.Fail(await DenyAsync(db, actor, AuditActions.SecretDelete, target, secret, "deleted", cancellationToken));
        }

        secret.EnsureCanBeDeletedBy(SecretAuthor.Manual(actor));
        db.Secrets.Remove(secret);
        db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretDelete, target, AuditOutcome.Success,
            $"Deleted with {secret.LatestVersion} version(s)."));
        var failure = await SaveAsync(db, cancellationToken);
        return failure is null ? OperationResult.Success() : OperationResult.Fail(failure);
    }

    // ---- Rotation engine (IRotationSecretStore) --------------------------------------------------------

    public Task<SecretValueSnapshot?> ReadCurrentAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        ReadStageAsync(folderId, key, SecretStage.Current, cancellationToken);

    public Task<SecretValueSnapshot?> ReadNextAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        ReadStageAsync(folderId, key, SecretStage.Next, cancellationToken);

    public async Task<OperationResult> PublishNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        // NEXT entries get the NEXT value as their CURRENT, in the same transaction as the NEXT versions.
        var mapping = await NextEntriesMappingAsync(rotation.Id, cancellationToken);
        return await WriteForRotationAsync(rotation, folderId, WithNextEntries(values, mapping, empty: false), actor, AuditActions.SecretPublishNext,
            (secret, value, now) => mapping?.NextKeys.Contains(secret.Key) == true
                ? SetNextEntry(secret, value, rotation.Author, now)
                : secret.PublishNext(value, rotation.Author, protector, now), cancellationToken);
    }

    public async Task<OperationResult> SetCurrentAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        // A credential set without an overlap: the NEXT entries exist and are empty.
        var mapping = await NextEntriesMappingAsync(rotation.Id, cancellationToken);
        return await WriteForRotationAsync(rotation, folderId, WithNextEntries(values, mapping, empty: true), actor, AuditActions.SecretSetCurrent,
            (secret, value, now) => mapping?.NextKeys.Contains(secret.Key) == true
                ? SetNextEntry(secret, value, rotation.Author, now)
                : secret.SetValue(value, rotation.Author, protector, now), cancellationToken);
    }

    public async Task<OperationResult> PromoteNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var (wanted, secrets) = await RotationSecretsForWriteAsync(db, folderId, keys, cancellationToken);
        var missing = wanted.Except(secrets.Select(s => s.Key), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            return OperationResult.NotFound($"These secrets do not exist in the folder: {string.Join(", ", missing)}");
        }

        if (NotManagedBy(rotation, secrets) is { } notOwned)
        {
            return notOwned;
        }

        var withoutNext = secrets.Where(s => s.NextVersion is null).Select(s => s.Key).ToList();
        if (withoutNext.Count > 0)
        {
            return OperationResult.Conflict($"These secrets have no NEXT version to promote: {string.Join(", ", withoutNext)}");
        }

        var now = timeProvider.GetUtcNow();
        foreach (var secret in secrets)
        {
            var promoted = secret.PromoteNext(rotation.Author, now);
            db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretPromoteNext, AuditTarget.Secret(secret.Id, secret.Key),
                AuditOutcome.Success, $"Version {promoted.Version} is now CURRENT ({rotation.Author.WrittenBy})."));
        }

        await EmptyNextEntriesAsync(db, rotation, folderId, actor, cancellationToken);
        var failure = await SaveAsync(db, cancellationToken);
        return failure is null ? OperationResult.Success() : OperationResult.Fail(failure);
    }

    public async Task<OperationResult> DiscardNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var (_, secrets) = await RotationSecretsForWriteAsync(db, folderId, keys, cancellationToken);
        if (NotManagedBy(rotation, secrets) is { } notOwned)
        {
            return notOwned;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var secret in secrets)
        {
            if (secret.DiscardNext(rotation.Author, now) is { } discarded)
            {
                db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretDiscardNext, AuditTarget.Secret(secret.Id, secret.Key),
                    AuditOutcome.Success, $"Version {discarded.Version} (NEXT) withdrawn by {rotation.Author.WrittenBy}."));
            }
        }

        await EmptyNextEntriesAsync(db, rotation, folderId, actor, cancellationToken);
        var failure = await SaveAsync(db, cancellationToken);
        return failure is null ? OperationResult.Success() : OperationResult.Fail(failure);
    }

    public async Task<OperationResult> ReleaseRotationSecretsAsync(
        RotationIdentity rotation,
        Actor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secrets = await db.Secrets.Where(s => s.OwnerRotationId == rotation.Id).ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        foreach (var secret in secrets)
        {
            secret.ReleaseFromRotation(rotation.Id, now);
            db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretRelease, AuditTarget.Secret(secret.Id, secret.Key),
                AuditOutcome.Success, $"No longer managed by rotation \"{rotation.Name}\"; editable by hand."));
        }

        var failure = await SaveAsync(db, cancellationToken);
        return failure is null ? OperationResult.Success() : OperationResult.Fail(failure);
    }

    // ---- Consumer reads --------------------------------------------------------------------------------

    /// <summary>
    /// A secret's CURRENT and NEXT values for consumers, by project, environment slug, path and key; null when
    /// there is no such secret. Served from <see cref="SecretValueCache"/> when possible. Not audited here
    /// (the API layer decides how token reads are recorded).
    /// </summary>
    public async Task<MappedSecret?> GetMappedSecretAsync(
        Guid projectId,
        string environmentSlug,
        string path,
        string key,
        CancellationToken cancellationToken = default)
    {
        if (!FolderPath.TryNormalize(path, out var normalizedPath, out _) || string.IsNullOrWhiteSpace(environmentSlug) || string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        var location = new MappedSecretLocation(projectId, environmentSlug.Trim(), normalizedPath, key.Trim());
        if (cache.TryGet(location, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folderIds = FoldersAt(db, location.ProjectId, location.EnvironmentSlug, location.Path).Select(f => f.Id);
        var secret = await WithCurrentAndNext(db)
            .Where(s => s.Key == location.Key && folderIds.Contains(s.FolderId))
            .SingleOrDefaultAsync(cancellationToken);
        if (secret is null)
        {
            return null;
        }

        var mapped = ToMappedSecret(secret);
        cache.Store(location, mapped, generation);
        return mapped;
    }

    /// <summary>
    /// Several secrets of one folder for consumers, all from one snapshot of the store (one read transaction, or one
    /// cache generation), so a rotation's promotion never lands between two of them. Keys that do not exist are left
    /// out of the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, MappedSecret>> GetMappedSecretsAsync(
        Guid projectId,
        string environmentSlug,
        string path,
        IReadOnlyCollection<string> keys,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!FolderPath.TryNormalize(path, out var normalizedPath, out _) || string.IsNullOrWhiteSpace(environmentSlug))
        {
            return new Dictionary<string, MappedSecret>();
        }

        var slug = environmentSlug.Trim();
        var locations = keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).Distinct(StringComparer.Ordinal)
            .Select(k => new MappedSecretLocation(projectId, slug, normalizedPath, k)).ToList();
        if (cache.TryGetAll(locations, out var cached))
        {
            return cached.ToDictionary(s => s.Key, StringComparer.Ordinal);
        }

        var generation = cache.Generation;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await BeginReadSnapshotAsync(db, cancellationToken);
        var wanted = locations.Select(l => l.Key).ToList();
        var folderIds = FoldersAt(db, projectId, slug, normalizedPath).Select(f => f.Id);
        var secrets = await WithCurrentAndNext(db)
            .Where(s => wanted.Contains(s.Key) && folderIds.Contains(s.FolderId))
            .ToListAsync(cancellationToken);
        var read = new Dictionary<string, MappedSecret>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            var mapped = ToMappedSecret(secret);
            cache.Store(new MappedSecretLocation(projectId, slug, normalizedPath, secret.Key), mapped, generation);
            read[secret.Key] = mapped;
        }

        return read;
    }

    /// <summary>
    /// The whole credential set of the rotation that manages secret <paramref name="key"/> (any of its mapped names):
    /// the CURRENT and NEXT of every mapped secret, read in one transaction (or from one cache generation). Not found
    /// when there is no such secret, when no rotation manages it, or when a mapped secret is missing.
    /// </summary>
    public async Task<OperationResult<CredentialSetSnapshot>> GetCredentialSetAsync(
        Guid projectId,
        string environmentSlug,
        string path,
        string key,
        CancellationToken cancellationToken = default)
    {
        if (!FolderPath.TryNormalize(path, out var normalizedPath, out _) || string.IsNullOrWhiteSpace(environmentSlug) || string.IsNullOrWhiteSpace(key))
        {
            return OperationResult<CredentialSetSnapshot>.NotFound($"There is no secret \"{key}\" at that project, environment and path.");
        }

        var location = new MappedSecretLocation(projectId, environmentSlug.Trim(), normalizedPath, key.Trim());
        if (cache.TryGetCredentialSet(location, out var cached))
        {
            return OperationResult.Success(cached!);
        }

        var generation = cache.Generation;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await BeginReadSnapshotAsync(db, cancellationToken);
        var folderIds = FoldersAt(db, location.ProjectId, location.EnvironmentSlug, location.Path).Select(f => f.Id);
        var requested = await db.Secrets.AsNoTracking()
            .Where(s => s.Key == location.Key && folderIds.Contains(s.FolderId))
            .Select(s => new { s.FolderId, s.OwnerRotationId })
            .SingleOrDefaultAsync(cancellationToken);
        if (requested is null)
        {
            return OperationResult<CredentialSetSnapshot>.NotFound($"There is no secret \"{location.Key}\" at that project, environment and path.");
        }

        var rotation = requested.OwnerRotationId is { } ownerId
            ? await db.Rotations.AsNoTracking()
                .Where(r => r.Id == ownerId)
                .Select(r => new
                {
                    r.Id,
                    r.Type,
                    r.SecretsMapping.ClientId,
                    r.SecretsMapping.ClientSecret,
                    r.SecretsMapping.PrivateKey,
                    r.SecretsMapping.KeyId,
                })
                .SingleOrDefaultAsync(cancellationToken)
            : null;
        if (rotation is null)
        {
            return OperationResult<CredentialSetSnapshot>.NotFound(
                $"Secret \"{location.Key}\" is not managed by a rotation, so it has no credential set: read it with the secret read.");
        }

        var mapping = new SecretsMapping(rotation.ClientId, rotation.ClientSecret, rotation.PrivateKey, rotation.KeyId);
        var mappedKeys = mapping.SecretKeys;
        var secrets = await WithCurrentAndNext(db)
            .Where(s => s.FolderId == requested.FolderId && s.OwnerRotationId == rotation.Id && mappedKeys.Contains(s.Key))
            .ToListAsync(cancellationToken);
        var missing = mappedKeys.Except(secrets.Select(s => s.Key), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            return OperationResult<CredentialSetSnapshot>.NotFound(
                $"The rotation's credential set is incomplete: secret(s) {string.Join(", ", missing)} do not exist yet.");
        }

        var set = new CredentialSetSnapshot(rotation.Id, rotation.Type, mapping,
            secrets.ToDictionary(s => s.Key, ToMappedSecret, StringComparer.Ordinal));
        cache.StoreCredentialSet(location, set, generation);
        return OperationResult.Success(set);
    }

    private MappedSecret ToMappedSecret(Secret secret)
    {
        var current = secret.CurrentVersion;
        var next = secret.NextVersion;
        return new MappedSecret(
            secret.Id,
            secret.Key,
            current is null ? null : secret.Reveal(current, protector),
            current?.Id,
            next is null ? null : secret.Reveal(next, protector),
            next?.Id,
            current?.Version,
            current?.CreatedAt,
            next?.Version,
            next?.CreatedAt,
            secret.UpdatedAt);
    }

    private static IQueryable<Secret> WithCurrentAndNext(RotationDashboardDbContext db) =>
        db.Secrets.AsNoTracking().Include(s => s.Versions.Where(v => v.Stage == SecretStage.Current || v.Stage == SecretStage.Next));

    /// <summary>
    /// A deferred read transaction: in WAL mode every query in it sees the database as of its first read (writers are
    /// not blocked, and it takes no write lock). Disposing it ends the snapshot.
    /// </summary>
    private static async Task<SqliteTransaction> BeginReadSnapshotAsync(RotationDashboardDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }

    // ---- Helpers ---------------------------------------------------------------------------------------

    /// <summary>The folder's secrets named in <paramref name="keys"/> (trimmed, distinct), tracked for writing.</summary>
    private static async Task<(List<string> Wanted, List<Secret> Secrets)> RotationSecretsForWriteAsync(
        RotationDashboardDbContext db, Guid folderId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var wanted = keys.Select(k => k.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var secrets = await SecretsForWrite(db, s => s.FolderId == folderId && wanted.Contains(s.Key)).ToListAsync(cancellationToken);
        return (wanted, secrets);
    }

    /// <summary>A Conflict naming the secrets another rotation (or nobody) manages; null when all are the rotation's.</summary>
    private static OperationResult? NotManagedBy(RotationIdentity rotation, IEnumerable<Secret> secrets)
    {
        var notOwned = secrets.Where(s => s.OwnerRotationId != rotation.Id).Select(s => s.Key).ToList();
        return notOwned.Count > 0
            ? OperationResult.Conflict($"These secrets are not managed by rotation \"{rotation.Name}\": {string.Join(", ", notOwned)}")
            : null;
    }

    private async Task<OperationResult> WriteForRotationAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        string action,
        Func<Secret, string, DateTimeOffset, SecretVersion> write,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(values);
        var errors = new ValidationErrors();
        foreach (var (key, value) in values)
        {
            SecretKey.Validate(key, "key", errors);
            Secret.ValidateValue(value, "value", errors);
        }

        if (values.Count == 0)
        {
            errors.Add("key", "Give at least one secret to write.");
        }

        if (errors.HasErrors)
        {
            return OperationResult.Invalid(errors);
        }

        var normalized = values.ToDictionary(v => v.Key.Trim(), v => v.Value, StringComparer.Ordinal);
        var keys = normalized.Keys.ToList();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == folderId, cancellationToken);
        if (folder is null)
        {
            return OperationResult.NotFound("The folder does not exist.");
        }

        var secrets = await SecretsForWrite(db, s => s.FolderId == folderId && keys.Contains(s.Key))
            .ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, cancellationToken);
        var conflicting = secrets.Values.Where(s => s.OwnerRotationId != rotation.Id).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        if (conflicting.Count > 0)
        {
            return OperationResult.Conflict(RotationRules.ConflictingSecretsMessage(folder.Path, conflicting));
        }

        var now = timeProvider.GetUtcNow();
        foreach (var (key, value) in normalized)
        {
            if (!secrets.TryGetValue(key, out var secret))
            {
                secret = Secret.CreateForRotation(folderId, key, rotation.Id, now);
                db.Secrets.Add(secret);
            }

            var before = secret.LatestVersion;
            var version = write(secret, value, now);
            if (version.Version > before)
            {
                db.AuditEvents.Add(AuditEvent.Record(now, actor, action, AuditTarget.Secret(secret.Id, secret.Key),
                    AuditOutcome.Success, $"Version {version.Version} ({version.Stage}) by {rotation.Author.WrittenBy}."));
            }
        }

        var failure = await SaveAsync(db, cancellationToken);
        return failure is null ? OperationResult.Success() : OperationResult.Fail(failure);
    }

    private async Task<SecretValueSnapshot?> ReadStageAsync(Guid folderId, string key, SecretStage stage, CancellationToken cancellationToken)
    {
        var normalizedKey = key.Trim();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secret = await db.Secrets.AsNoTracking()
            .Include(s => s.Versions.Where(v => v.Stage == stage))
            .SingleOrDefaultAsync(s => s.FolderId == folderId && s.Key == normalizedKey, cancellationToken);
        var version = secret?.Versions.SingleOrDefault();
        return secret is null || version is null
            ? null
            : new SecretValueSnapshot(secret.Id, secret.Key, version.Id, version.Version, version.Stage, secret.Reveal(version, protector));
    }

    /// <summary>Secrets with their non-archived versions (what the stage rules need), tracked for writing.</summary>
    private static IQueryable<Secret> SecretsForWrite(
        RotationDashboardDbContext db,
        System.Linq.Expressions.Expression<Func<Secret, bool>> filter) =>
        db.Secrets
            .Include(s => s.Versions.Where(v => v.Stage != SecretStage.Archived))
            .Where(filter);

    private static IQueryable<Folder> FoldersAt(RotationDashboardDbContext db, Guid projectId, string environmentSlug, string normalizedPath) =>
        db.Folders.Where(f => f.Path == normalizedPath
            && db.Environments.Any(e => e.Id == f.EnvironmentId && e.ProjectId == projectId && e.Slug == environmentSlug));

    private static IQueryable<SecretSummary> Summaries(RotationDashboardDbContext db, IQueryable<Secret> secrets) =>
        secrets.AsNoTracking().Select(s => new SecretSummary(
            s.Id,
            s.FolderId,
            s.Key,
            s.OwnerRotationId,
            db.Rotations.Where(r => r.Id == s.OwnerRotationId).Select(r => r.Name).FirstOrDefault(),
            s.Versions.Where(v => v.Stage == SecretStage.Current).Select(v => (int?)v.Version).FirstOrDefault(),
            s.Versions.Any(v => v.Stage == SecretStage.Next),
            s.CreatedAt,
            s.UpdatedAt,
            s.RowVersion));

    private static SecretSummary ToSummary(Secret secret, string? ownerRotationName) =>
        new(secret.Id, secret.FolderId, secret.Key, secret.OwnerRotationId, ownerRotationName, secret.CurrentVersion?.Version,
            secret.NextVersion is not null, secret.CreatedAt, secret.UpdatedAt, secret.RowVersion);

    private static bool MatchesExpectedVersion(RotationDashboardDbContext db, Secret secret, long? expectedRowVersion)
    {
        if (expectedRowVersion is not { } expected)
        {
            return true;
        }

        if (secret.RowVersion != expected)
        {
            return false;
        }

        // Also make the UPDATE/DELETE check it, in case someone saves between this read and our write.
        db.Entry(secret).Property(s => s.RowVersion).OriginalValue = expected;
        return true;
    }

    private async Task<OperationFailure> DenyAsync(
        RotationDashboardDbContext db,
        Actor actor,
        string action,
        AuditTarget target,
        Secret secret,
        string operation,
        CancellationToken cancellationToken)
    {
        var ownerName = await db.Rotations.Where(r => r.Id == secret.OwnerRotationId).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken);
        var exception = new RotationOwnedSecretException(secret.Key, secret.OwnerRotationId!.Value, operation);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), actor, action, target, AuditOutcome.Denied,
            $"Managed by rotation \"{ownerName ?? secret.OwnerRotationId.ToString()}\"."));
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult.Conflict(exception.Message).Failure!;
    }

    /// <summary>Saves; returns the failure for a lost concurrency race or a unique-key clash, null on success.</summary>
    private static async Task<OperationFailure?> SaveAsync(
        RotationDashboardDbContext db,
        CancellationToken cancellationToken,
        string duplicateKeyMessage = "A secret with this name already exists in the folder.")
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return OperationResult.Conflict(ConcurrencyConflictMessage).Failure;
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return OperationResult.Invalid("key", duplicateKeyMessage).Failure;
        }
    }

    private static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    private static string DuplicateKeyMessage(string key) => $"A secret named \"{key}\" already exists in this folder.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Secret {SecretId} version {Version} could not be decrypted (root key {KeyId})")]
    private static partial void LogDecryptionFailed(ILogger logger, Guid secretId, int version, string? keyId);
}
