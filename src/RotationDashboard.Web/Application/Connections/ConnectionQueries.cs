using Microsoft.EntityFrameworkCore;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Connections;

/// <summary>The read side of connections (UI and API): every connection with its status and use, or one.</summary>
public sealed class ConnectionQueries(IDbContextFactory<RotationDashboardDbContext> contextFactory, ConnectionForms forms)
    : IConnectionReads, Dashboard.IConnectionListReads
{
    /// <summary>Every connection with its status and how many rotations use it, by name.</summary>
    public async Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connections = await db.Connections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        var usage = await db.Rotations.AsNoTracking()
            .GroupBy(r => r.ConnectionId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return connections.Select(c => forms.ToView(c, usage.GetValueOrDefault(c.Id))).ToList();
    }

    public async Task<ConnectionView?> GetAsync(Guid connectionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        return connection is null ? null : forms.ToView(connection, await ConnectionForms.CountRotationsAsync(db, connectionId, cancellationToken));
    }
}
