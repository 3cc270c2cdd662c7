using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;
using static RotationDashboard.Web.Services.Secrets.SecretQueryables;

namespace RotationDashboard.Web.Services.Secrets;

// Over 400 lines: the UI/API's projects, environments, folders and secrets share validation, audit and save rules.
/// <summary>
/// The built-in secret store for the UI and the API: projects, environments, folders and secrets. The rotation engine
/// writes through <see cref="RotationSecretStore"/>; consumers read through <see cref="ConsumerSecretReads"/>. Every write and every reveal adds
/// its audit event to the same SaveChanges as the change; audit entries never carry a value. Validation
/// failures return field errors and change nothing.
/// </summary>
public sealed partial class SecretStoreService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    TimeProvider timeProvider,
    ILogger<SecretStoreService> logger) : RotationDashboard.Web.Application.Secrets.ISecretBrowser, IProjectDirectory
{
    internal const string ConcurrencyConflictMessage =
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
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
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
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
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

    // ---- Helpers ---------------------------------------------------------------------------------------

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

    private static string DuplicateKeyMessage(string key) => $"A secret named \"{key}\" already exists in this folder.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Secret {SecretId} version {Version} could not be decrypted (root key {KeyId})")]
    private static partial void LogDecryptionFailed(ILogger logger, Guid secretId, int version, string? keyId);
}
