using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>
/// Infisical's naming rules for a folder: a rotation's name is unique there, and the secret names it maps must not be
/// taken (by a secret or by another rotation's mapping). The wizard asks before saving; create and update ask again.
/// </summary>
public sealed class CheckMappingNames(IDbContextFactory<RotationDashboardDbContext> contextFactory)
{
    /// <summary>
    /// The wizard's mapping step, before anything is saved: mapped names must not be taken in the folder, by an
    /// existing secret or by another rotation's mapping. Errors are on <c>secretsMapping</c>.
    /// </summary>
    public async Task<ValidationErrors> ExecuteAsync(
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Guid? exceptRotationId,
        CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == folderId, cancellationToken);
        if (folder is null)
        {
            errors.Add("secretPath", "The folder does not exist.");
            return errors;
        }

        await CheckFolderConflictsAsync(db, folder, name: null, keys, exceptRotationId, errors, cancellationToken);
        return errors;
    }

    /// <summary>Infisical's rules: the name is unique in the folder, and mapped secret names must not exist there yet.</summary>
    internal static async Task CheckFolderConflictsAsync(
        RotationDashboardDbContext db,
        Folder folder,
        string? name,
        IReadOnlyCollection<string> newKeys,
        Guid? exceptRotationId,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(name)
            && await db.Rotations.AnyAsync(r => r.FolderId == folder.Id && r.Name == name && r.Id != exceptRotationId, cancellationToken))
        {
            errors.Add("name", RotationRules.DuplicateNameMessage(name, folder.Path));
        }

        var keys = newKeys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return;
        }

        var taken = await db.Secrets.AsNoTracking()
            .Where(s => s.FolderId == folder.Id && keys.Contains(s.Key) && (exceptRotationId == null || s.OwnerRotationId != exceptRotationId))
            .Select(s => s.Key)
            .ToListAsync(cancellationToken);
        if (taken.Count > 0)
        {
            errors.Add("secretsMapping", RotationRules.ConflictingSecretsMessage(folder.Path, taken.Order(StringComparer.Ordinal)));
        }

        foreach (var (key, rotationName) in await MappedSecretNames.FindAsync(db, folder.Id, keys, exceptRotationId, cancellationToken))
        {
            if (!taken.Contains(key))
            {
                errors.Add("secretsMapping", MappedSecretNames.ReservedMessage(key, rotationName));
            }
        }
    }
}
