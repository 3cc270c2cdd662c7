using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// One secret as Infisical's read API shows it: its CURRENT value only (an Infisical secret has one value; NEXT is
/// published under a second mapped name when a rotation names one). <see cref="ToString"/> never shows the value.
/// </summary>
public sealed record SingleValueSecret(
    Guid SecretId,
    string Key,
    string SecretPath,
    string? Value,
    Guid VersionId,
    int Version,
    Guid? OwnerRotationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public override string ToString() => $"SingleValueSecret {{ Key = {Key}, SecretPath = {SecretPath}, Version = {Version}, Value = [redacted] }}";
}

/// <summary>
/// Reads for the Infisical-compatible secrets API: a folder's secrets (optionally with every folder below it) or one
/// secret, all from one read snapshot so a rotation's promotion never lands between two secrets of one answer.
/// Secrets without a CURRENT value (only NEXT published so far) are left out. Values are decrypted only when asked for.
/// </summary>
public sealed class InfisicalSecretReader(IDbContextFactory<RotationDashboardDbContext> contextFactory, ISecretProtector protector)
{
    /// <summary>The secrets of the folders at <paramref name="normalizedPath"/> (and below it when <paramref name="recursive"/>), ordered by path and key.</summary>
    public async Task<IReadOnlyList<SingleValueSecret>> ListAsync(
        Guid projectId,
        string environmentSlug,
        string normalizedPath,
        bool recursive,
        bool withValues,
        Func<string, bool> mayReadPath,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await BeginReadSnapshotAsync(db, cancellationToken);
        var folders = await db.Folders.AsNoTracking()
            .Where(f => db.Environments.Any(e => e.Id == f.EnvironmentId && e.ProjectId == projectId && e.Slug == environmentSlug))
            .Select(f => new { f.Id, f.Path })
            .ToListAsync(cancellationToken);
        var wanted = folders
            .Where(f => recursive ? FolderPath.IsSameOrBelow(f.Path, normalizedPath) : f.Path == normalizedPath)
            .Where(f => mayReadPath(f.Path))
            .ToDictionary(f => f.Id, f => f.Path);
        if (wanted.Count == 0)
        {
            return [];
        }

        var ids = wanted.Keys.ToList();
        var secrets = await db.Secrets.AsNoTracking()
            .Include(s => s.Versions.Where(v => v.Stage == SecretStage.Current))
            .Where(s => ids.Contains(s.FolderId))
            .ToListAsync(cancellationToken);
        return secrets
            .Where(s => s.CurrentVersion is not null)
            .Select(s => ToSingleValue(s, wanted[s.FolderId], withValues))
            .OrderBy(s => s.SecretPath, StringComparer.Ordinal).ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One secret by folder and name; null when it does not exist or has no CURRENT value.</summary>
    public async Task<SingleValueSecret?> GetAsync(
        Guid projectId,
        string environmentSlug,
        string normalizedPath,
        string key,
        bool withValue,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folderIds = db.Folders
            .Where(f => f.Path == normalizedPath && db.Environments.Any(e => e.Id == f.EnvironmentId && e.ProjectId == projectId && e.Slug == environmentSlug))
            .Select(f => f.Id);
        var secret = await db.Secrets.AsNoTracking()
            .Include(s => s.Versions.Where(v => v.Stage == SecretStage.Current))
            .Where(s => s.Key == key && folderIds.Contains(s.FolderId))
            .SingleOrDefaultAsync(cancellationToken);
        return secret?.CurrentVersion is null ? null : ToSingleValue(secret, normalizedPath, withValue);
    }

    private SingleValueSecret ToSingleValue(Secret secret, string path, bool withValue)
    {
        var current = secret.CurrentVersion!;
        return new SingleValueSecret(secret.Id, secret.Key, path, withValue ? secret.Reveal(current, protector) : null, current.Id, current.Version,
            secret.OwnerRotationId, secret.CreatedAt, secret.UpdatedAt);
    }

    /// <summary>A deferred read transaction: in WAL mode every query in it sees the database as of its first read.</summary>
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
