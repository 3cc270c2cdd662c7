using Microsoft.EntityFrameworkCore;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Notifications;

/// <summary>A rotation as a picker shows it: its name and where it lives.</summary>
public sealed record RotationChoice(Guid Id, string Name, string EnvironmentSlug);

/// <summary>The rotation picker's reads, small enough for a project with thousands of rotations.</summary>
public interface IFindRotations
{
    /// <summary>Up to <paramref name="take"/> rotations of the project whose name contains the text, by name.</summary>
    Task<IReadOnlyList<RotationChoice>> SearchAsync(Guid projectId, string? text, int take, CancellationToken cancellationToken = default);

    /// <summary>The rotations with these ids (the ones that still exist), to name them where only the id is stored.</summary>
    Task<IReadOnlyList<RotationChoice>> GetAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);
}

/// <summary>
/// Finds rotations by name for the notification subscription picker and names the rotations subscriptions point at.
/// Reads names only: nothing here is secret or permission-checked.
/// </summary>
public sealed class FindRotations(IDbContextFactory<RotationDashboardDbContext> contextFactory) : IFindRotations
{
    public const int MaxTake = 50;

    public async Task<IReadOnlyList<RotationChoice>> SearchAsync(Guid projectId, string? text, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotations = db.Rotations.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (!string.IsNullOrWhiteSpace(text))
        {
            // Lower-cased on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
            var needle = text.Trim().ToLowerInvariant();
            rotations = rotations.Where(r => r.Name.ToLower().Contains(needle));
        }

        return await (from r in rotations
                      join e in db.Environments on r.EnvironmentId equals e.Id
                      orderby r.Name, r.Id
                      select new RotationChoice(r.Id, r.Name, e.Slug))
            .Take(Math.Clamp(take, 1, MaxTake))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RotationChoice>> GetAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await (from r in db.Rotations.AsNoTracking()
                      join e in db.Environments on r.EnvironmentId equals e.Id
                      where ids.Contains(r.Id)
                      select new RotationChoice(r.Id, r.Name, e.Slug))
            .ToListAsync(cancellationToken);
    }
}
