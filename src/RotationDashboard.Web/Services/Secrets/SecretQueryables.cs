using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Secrets;

/// <summary>Queries and the save rule the secret store's parts share (UI/API, engine adapter, consumer reads).</summary>
internal static class SecretQueryables
{
    /// <summary>Secrets with their non-archived versions (what the stage rules need), tracked for writing.</summary>
    internal static IQueryable<Secret> SecretsForWrite(
        RotationDashboardDbContext db,
        System.Linq.Expressions.Expression<Func<Secret, bool>> filter) =>
        db.Secrets
            .Include(s => s.Versions.Where(v => v.Stage != SecretStage.Archived))
            .Where(filter);

    internal static IQueryable<Folder> FoldersAt(RotationDashboardDbContext db, Guid projectId, string environmentSlug, string normalizedPath) =>
        db.Folders.Where(f => f.Path == normalizedPath
            && db.Environments.Any(e => e.Id == f.EnvironmentId && e.ProjectId == projectId && e.Slug == environmentSlug));

    /// <summary>Saves; returns the failure for a lost concurrency race or a unique-key clash, null on success.</summary>
    internal static async Task<OperationFailure?> SaveAsync(
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
            return OperationResult.Conflict(SecretStoreService.ConcurrencyConflictMessage).Failure;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return OperationResult.Invalid("key", duplicateKeyMessage).Failure;
        }
    }
}
