using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Dashboard;

public sealed record UpcomingRotation(Guid Id, string Name, DateTimeOffset NextRotationAt, RotationStrategy Strategy, string? ApplicationName);

/// <summary>The first rotations due in a window, and how many are due in it in all.</summary>
public sealed record UpcomingRotationsView(IReadOnlyList<UpcomingRotation> First, int Total, int Days);

public interface IUpcomingRotations
{
    Task<UpcomingRotationsView> GetAsync(int days, int take, CancellationToken cancellationToken = default);
}

/// <summary>
/// The rotations auto-rotation will run within the next days (overdue ones first: they run at the next poll), read
/// through the next_rotation_at index.
/// </summary>
public sealed class UpcomingRotations(IDbContextFactory<RotationDashboardDbContext> contextFactory, TimeProvider timeProvider) : IUpcomingRotations
{
    public async Task<UpcomingRotationsView> GetAsync(int days, int take, CancellationToken cancellationToken = default)
    {
        days = Math.Clamp(days, 1, 366);
        var until = timeProvider.GetUtcNow().AddDays(days);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var due = db.Rotations.AsNoTracking()
            .Where(r => r.IsAutoRotationEnabled && r.NextRotationAt != null && r.NextRotationAt <= until);
        var total = await due.CountAsync(cancellationToken);
        var first = await due.OrderBy(r => r.NextRotationAt).ThenBy(r => r.Name)
            .Take(Math.Clamp(take, 1, 100))
            .Select(r => new UpcomingRotation(r.Id, r.Name, r.NextRotationAt!.Value, r.Strategy, r.ApplicationName))
            .ToListAsync(cancellationToken);
        return new UpcomingRotationsView(first, total, days);
    }
}
