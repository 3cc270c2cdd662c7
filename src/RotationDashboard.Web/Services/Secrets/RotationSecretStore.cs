using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;
using static RotationDashboard.Web.Services.Secrets.SecretQueryables;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// The rotation engine's port to the built-in secret store: reads a mapped secret's CURRENT/NEXT and writes a
/// rotation's values (publish NEXT, promote, discard, set CURRENT, release). Writes touch only secrets the rotation owns
/// and add their audit events to the same save.
/// </summary>
public sealed partial class RotationSecretStore(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    TimeProvider timeProvider) : IRotationSecretStore
{
    public Task<SecretValueSnapshot?> ReadCurrentAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        ReadStageAsync(folderId, key, SecretStage.Current, cancellationToken);

    public Task<SecretValueSnapshot?> ReadNextAsync(Guid folderId, string key, CancellationToken cancellationToken = default) =>
        ReadStageAsync(folderId, key, SecretStage.Next, cancellationToken);

    // NEXT entries get the NEXT value as their CURRENT, in the same transaction as the NEXT versions.
    public Task<OperationResult> PublishNextAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default) =>
        WriteWithNextEntriesAsync(rotation, folderId, values, actor, AuditActions.SecretPublishNext, emptyNextEntries: false,
            (secret, value, now) => secret.PublishNext(value, rotation.Author, protector, now), cancellationToken);

    // A credential set without an overlap: the NEXT entries exist and are empty.
    public Task<OperationResult> SetCurrentAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        CancellationToken cancellationToken = default) =>
        WriteWithNextEntriesAsync(rotation, folderId, values, actor, AuditActions.SecretSetCurrent, emptyNextEntries: true,
            (secret, value, now) => secret.SetValue(value, rotation.Author, protector, now), cancellationToken);

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
}
