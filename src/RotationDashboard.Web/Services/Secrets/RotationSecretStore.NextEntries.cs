using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;
using static RotationDashboard.Web.Services.Secrets.SecretQueryables;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>
/// A rotation's NEXT entries: second secrets (e.g. <c>AUTH0_CLIENT_SECRET_NEXT</c>) for consumers that read one value per
/// secret, such as Infisical's SDKs. While a staged or key rotation overlaps they hold the published NEXT value as their
/// CURRENT; a promotion or a withdrawal empties them in the same transaction. The engine needs to know nothing of them.
/// </summary>
public sealed partial class RotationSecretStore
{
    /// <summary>
    /// Writes the rotation's <paramref name="values"/> with <paramref name="write"/> and, in the same save, its mapped NEXT
    /// entries: the value each mirrors, or empty when <paramref name="emptyNextEntries"/>.
    /// </summary>
    private async Task<OperationResult> WriteWithNextEntriesAsync(
        RotationIdentity rotation,
        Guid folderId,
        IReadOnlyDictionary<string, string> values,
        Actor actor,
        string auditAction,
        bool emptyNextEntries,
        Func<Secret, string, DateTimeOffset, SecretVersion> write,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        var mapping = await NextEntriesMappingAsync(rotation.Id, cancellationToken);
        return await WriteForRotationAsync(rotation, folderId, WithNextEntries(values, mapping, emptyNextEntries), actor, auditAction,
            (secret, value, now) => mapping?.NextKeys.Contains(secret.Key) == true
                ? SetNextEntry(secret, value, rotation.Author, now)
                : write(secret, value, now), cancellationToken);
    }

    /// <summary>The rotation's mapping when it names NEXT entries; null otherwise.</summary>
    private async Task<SecretsMapping?> NextEntriesMappingAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var mapping = await db.Rotations.AsNoTracking().Where(r => r.Id == rotationId).Select(r => r.SecretsMapping).SingleOrDefaultAsync(cancellationToken);
        return mapping is { NextKeys.Count: > 0 } ? mapping : null;
    }

    /// <summary><paramref name="values"/> plus each mapped NEXT entry: the value it mirrors, or empty when <paramref name="empty"/>.</summary>
    private static IReadOnlyDictionary<string, string> WithNextEntries(IReadOnlyDictionary<string, string> values, SecretsMapping? mapping, bool empty)
    {
        if (mapping is null)
        {
            return values;
        }

        var all = new Dictionary<string, string>(values, StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (mapping.NextNameFor(key.Trim()) is { } nextName)
            {
                all[nextName] = empty ? string.Empty : value;
            }
        }

        return all;
    }

    /// <summary>A NEXT entry's write: a new CURRENT version unless it already holds the value (a resumed run repeats steps).</summary>
    private SecretVersion SetNextEntry(Secret secret, string value, SecretAuthor author, DateTimeOffset now) =>
        secret.CurrentVersion is { } current && string.Equals(secret.Reveal(current, protector), value, StringComparison.Ordinal)
            ? current
            : secret.SetValue(value, author, protector, now);

    /// <summary>Empties the rotation's NEXT entries in <paramref name="db"/>'s pending changes (saved with the caller's change).</summary>
    private async Task EmptyNextEntriesAsync(
        RotationDashboardDbContext db,
        RotationIdentity rotation,
        Guid folderId,
        Actor actor,
        CancellationToken cancellationToken)
    {
        var mapping = await db.Rotations.AsNoTracking().Where(r => r.Id == rotation.Id).Select(r => r.SecretsMapping).SingleOrDefaultAsync(cancellationToken);
        var nextKeys = mapping?.NextKeys ?? [];
        if (nextKeys.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var entries = await SecretsForWrite(db, s => s.FolderId == folderId && s.OwnerRotationId == rotation.Id && nextKeys.Contains(s.Key))
            .ToListAsync(cancellationToken);
        foreach (var secret in entries)
        {
            var before = secret.LatestVersion;
            var version = SetNextEntry(secret, string.Empty, rotation.Author, now);
            if (version.Version > before)
            {
                db.AuditEvents.Add(AuditEvent.Record(now, actor, AuditActions.SecretSetCurrent, AuditTarget.Secret(secret.Id, secret.Key),
                    AuditOutcome.Success, $"NEXT entry emptied: version {version.Version} by {rotation.Author.WrittenBy}."));
            }
        }
    }
}
