using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>One finished run of a rotation as its detail page charts it.</summary>
public sealed record RunDuration(DateTimeOffset StartedAt, TimeSpan Duration, RunStatus Status);

/// <summary>A rotation's recent run durations, oldest first (the detail page's chart).</summary>
public interface IRotationRunDurations
{
    Task<IReadOnlyList<RunDuration>> GetAsync(Guid rotationId, int take = 30, CancellationToken cancellationToken = default);
}

/// <summary>Reads only the three columns the chart needs, so the query stays small however long the history is.</summary>
public sealed class RotationRunDurations(IDbContextFactory<RotationDashboardDbContext> contextFactory) : IRotationRunDurations
{
    public const int MaxTake = 200;

    public async Task<IReadOnlyList<RunDuration>> GetAsync(Guid rotationId, int take = 30, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.RotationRuns.AsNoTracking()
            .Where(r => r.RotationId == rotationId && r.FinishedAt != null)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id)
            .Take(Math.Clamp(take, 1, MaxTake))
            .Select(r => new { r.StartedAt, r.FinishedAt, r.Status })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new RunDuration(r.StartedAt, r.FinishedAt!.Value - r.StartedAt, r.Status)).Reverse().ToList();
    }
}
