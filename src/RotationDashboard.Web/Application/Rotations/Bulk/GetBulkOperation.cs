using Microsoft.EntityFrameworkCore;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

public sealed record BulkOperationItemView(
    Guid Id, int Position, Guid? RotationId, string Name, string ClientId, BulkItemState State, Guid? RunId, string? Message,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>A bulk operation's progress (live while running) or summary (once ended).</summary>
public sealed record BulkOperationView(
    Guid Id,
    BulkOperationKind Kind,
    BulkOperationStatus Status,
    string SetDescription,
    Guid? ConnectionId,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    double RequestsPerSecond,
    int MaxInFlight,
    int Total,
    int Queued,
    int Running,
    int Succeeded,
    int Failed,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining,
    IReadOnlyList<BulkOperationItemView> Items)
{
    public int Done => Succeeded + Failed;

    public bool IsFinished => Status != BulkOperationStatus.Running;
}

/// <summary>Reads bulk operations back (the live view polls this; it is the same on every instance).</summary>
public sealed class GetBulkOperation(IDbContextFactory<RotationDashboardDbContext> contextFactory, TimeProvider timeProvider)
{
    public async Task<BulkOperationView?> ExecuteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var operation = await db.Set<BulkOperation>().AsNoTracking().Include(o => o.Items).SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return operation is null ? null : ToView(operation, timeProvider.GetUtcNow());
    }

    /// <summary>The latest operations, newest first, without their items.</summary>
    public async Task<IReadOnlyList<BulkOperationView>> ListAsync(int take = 20, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var operations = await db.Set<BulkOperation>().AsNoTracking().Include(o => o.Items)
            .OrderByDescending(o => o.StartedAt).Take(Math.Clamp(take, 1, 100)).ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        return operations.Select(o => ToView(o, now) with { Items = [] }).ToList();
    }

    internal static BulkOperationView ToView(BulkOperation operation, DateTimeOffset now)
    {
        var items = operation.Items.OrderBy(i => i.Position).Select(i => new BulkOperationItemView(
            i.Id, i.Position, i.RotationId, i.Name, i.ClientId, i.State, i.RunId, i.Message, i.StartedAt, i.FinishedAt)).ToList();
        int Count(BulkItemState state) => items.Count(i => i.State == state);
        var succeeded = Count(BulkItemState.Succeeded);
        var failed = Count(BulkItemState.Failed);
        var elapsed = (operation.FinishedAt ?? now) - operation.StartedAt;
        var done = succeeded + failed;
        var left = items.Count - done;
        // The pace so far is the best guess: every item costs about the same share of the tenant's budget.
        TimeSpan? remaining = operation.Status != BulkOperationStatus.Running ? TimeSpan.Zero
            : done == 0 ? null
            : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * left);
        return new BulkOperationView(
            operation.Id, operation.Kind, operation.Status, operation.SetDescription, operation.ConnectionId, operation.StartedBy,
            operation.StartedAt, operation.FinishedAt, operation.RequestsPerSecond, operation.MaxInFlight, items.Count,
            Count(BulkItemState.Queued), Count(BulkItemState.Running), succeeded, failed, elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed, remaining, items);
    }
}
