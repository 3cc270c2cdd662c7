using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;
using static RotationDashboard.Web.Services.Secrets.SecretQueryables;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// Consumers' reads of secret values (the consumer API and the client library): one secret, several from one snapshot,
/// or a rotation's whole credential set, served from <see cref="SecretValueCache"/> when possible.
/// </summary>
public sealed class ConsumerSecretReads(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    SecretValueCache cache)
{
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
    private static async Task<System.Data.Common.DbTransaction> BeginReadSnapshotAsync(RotationDashboardDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        if (db.Database.GetDbConnection() is not SqliteConnection sqlite)
        {
            // PostgreSQL: REPEATABLE READ sees one snapshot for the whole transaction.
            var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            return Microsoft.EntityFrameworkCore.Storage.DbContextTransactionExtensions.GetDbTransaction(snapshot);
        }

        var transaction = sqlite.BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }
}
