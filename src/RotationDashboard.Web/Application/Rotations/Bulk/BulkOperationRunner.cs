using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services.Audit;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>How one item of a bulk operation ended.</summary>
public sealed record BulkItemOutcome(bool Succeeded, string? Message, Guid? RotationId = null, Guid? RunId = null);

/// <summary>One item's work: rotate a rotation now, or create one. Throws only for the unexpected.</summary>
public delegate Task<BulkItemOutcome> BulkItemWork(CancellationToken cancellationToken);

/// <summary>
/// Executes bulk operations in the background: every item is its own engine run (one failure does not stop the rest),
/// at most <see cref="BulkOperation.MaxInFlight"/> at once (a <see cref="ConcurrencyLimiter"/>, first come first served),
/// while the Auth0 client's per-tenant limiter paces their Management API calls to the tenant's budget. Each state
/// change is written at once, so the live view (which polls the database) is right on every instance; an operation
/// still running when the process stops is marked interrupted at the next start.
/// </summary>
public sealed partial class BulkOperationRunner(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    IAuditLog audit,
    TimeProvider timeProvider,
    IOptions<StorageOptions> storage,
    ILogger<BulkOperationRunner> logger) : IHostedService
{
    /// <summary>
    /// With several instances on one database, a running operation may belong to a live instance: only one that has
    /// shown no progress for this long is taken as left over by a stopped one.
    /// </summary>
    internal static readonly TimeSpan ClusteredLeftOverAfter = TimeSpan.FromMinutes(30);

    internal const string InterruptedMessage = "Interrupted: the dashboard stopped before this item ended. Rotate it again if its rotation did not finish.";

    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Completes when the operation has ended (tests and the benchmark wait on it; the UI polls).</summary>
    public Task WhenFinished(Guid operationId) => _running.TryGetValue(operationId, out var task) ? task : Task.CompletedTask;

    /// <summary>Saves the operation with its queued items, then runs them in the background.</summary>
    internal async Task<Guid> LaunchAsync(BulkOperation operation, IReadOnlyList<BulkItemWork> work, Actor actor, string auditAction, CancellationToken cancellationToken)
    {
        if (work.Count != operation.Items.Count)
            throw new ArgumentException("One piece of work per item.", nameof(work));
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Add(operation);
            db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), actor, auditAction, Target(operation), AuditOutcome.Success,
                $"Started on {operation.Items.Count} rotation(s) of {operation.SetDescription}, paced to {operation.RequestsPerSecond:0.##} Management API requests/s " +
                $"with at most {operation.MaxInFlight} run(s) at once."));
            await db.SaveChangesAsync(cancellationToken);
        }

        Log.Started(logger, operation.Id, operation.Kind, operation.Items.Count, operation.RequestsPerSecond, operation.MaxInFlight);
        var items = operation.Items.Select(i => i.Id).ToList();
        _running[operation.Id] = Task.Run(() => RunAsync(operation.Id, operation.Kind, operation.MaxInFlight, items, work, actor, auditAction), CancellationToken.None);
        return operation.Id;
    }

    private async Task RunAsync(Guid operationId, BulkOperationKind kind, int maxInFlight, IReadOnlyList<Guid> items, IReadOnlyList<BulkItemWork> work, Actor actor, string auditAction)
    {
        var stopping = _stopping.Token;
        var started = timeProvider.GetTimestamp();
        try
        {
            using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = maxInFlight,
                QueueLimit = items.Count,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            var tasks = new List<Task<bool>>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                // The permit travels with the item and is released when it ends, which lets the next one start.
                var lease = await limiter.AcquireAsync(1, stopping);
                if (!lease.IsAcquired)
                    throw new InvalidOperationException("The bulk limiter refused a permit although its queue holds every item.");
                tasks.Add(RunItemAsync(items[i], work[i], lease.Dispose, stopping));
            }

            var outcomes = await Task.WhenAll(tasks);
            var succeeded = outcomes.Count(o => o);
            var failed = outcomes.Length - succeeded;
            await FinishAsync(operationId, BulkOperationStatus.Completed, CancellationToken.None);
            var elapsed = timeProvider.GetElapsedTime(started);
            Log.Finished(logger, operationId, kind, succeeded, failed, elapsed.TotalSeconds);
            await audit.WriteAsync(actor, auditAction, new AuditTarget(BulkAudit.TargetType, operationId.ToString(), null),
                failed == 0 ? AuditOutcome.Success : AuditOutcome.Failure,
                $"Finished in {elapsed.TotalSeconds:0.#} s: {succeeded} succeeded, {failed} failed.", CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Left running: the next start marks what did not end as interrupted.
            Log.Stopped(logger, operationId);
        }
        catch (Exception exception)
        {
            Log.Crashed(logger, operationId, exception);
            await FinishAsync(operationId, BulkOperationStatus.Interrupted, CancellationToken.None);
        }
        finally
        {
            _running.TryRemove(operationId, out _);
        }
    }

    private async Task<bool> RunItemAsync(Guid itemId, BulkItemWork work, Action release, CancellationToken stopping)
    {
        try
        {
            await UpdateItemAsync(itemId, item =>
            {
                item.State = BulkItemState.Running;
                item.StartedAt = timeProvider.GetUtcNow();
            }, stopping);
            BulkItemOutcome outcome;
            try
            {
                outcome = await work(stopping);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // The exception's text may quote an upstream answer: its type is enough for the summary, the log has the rest.
                Log.ItemCrashed(logger, itemId, exception);
                outcome = new BulkItemOutcome(false, $"Unexpected error ({exception.GetType().Name}); see the dashboard's log.");
            }

            await UpdateItemAsync(itemId, item =>
            {
                item.State = outcome.Succeeded ? BulkItemState.Succeeded : BulkItemState.Failed;
                item.Message = Truncate(outcome.Message);
                item.RotationId = outcome.RotationId ?? item.RotationId;
                item.RunId = outcome.RunId ?? item.RunId;
                item.FinishedAt = timeProvider.GetUtcNow();
            }, CancellationToken.None);
            return outcome.Succeeded;
        }
        finally
        {
            release();
        }
    }

    private async Task UpdateItemAsync(Guid itemId, Action<BulkOperationItem> change, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var item = await db.Set<BulkOperationItem>().SingleAsync(i => i.Id == itemId, cancellationToken);
        change(item);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task FinishAsync(Guid operationId, BulkOperationStatus status, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var operation = await db.Set<BulkOperation>().SingleAsync(o => o.Id == operationId, cancellationToken);
        operation.Finish(status, timeProvider.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? Truncate(string? message) => message is { Length: > 1000 } ? message[..997] + "..." : message;

    internal static AuditTarget Target(BulkOperation operation) =>
        new(BulkAudit.TargetType, operation.Id.ToString(), operation.SetDescription);

    /// <summary>Marks what a previous process left running as interrupted, so no operation shows "running" forever.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var running = await db.Set<BulkOperation>().Where(o => o.Status == BulkOperationStatus.Running).Include(o => o.Items).ToListAsync(cancellationToken);
        var clustered = storage.Value.Provider == DatabaseProvider.PostgreSql;
        foreach (var operation in running.Where(o => !clustered || now - LastActivity(o) > ClusteredLeftOverAfter))
        {
            foreach (var item in operation.Items.Where(i => i.State is BulkItemState.Queued or BulkItemState.Running))
            {
                item.State = BulkItemState.Failed;
                item.Message = InterruptedMessage;
                item.FinishedAt = now;
            }

            operation.Finish(BulkOperationStatus.Interrupted, now);
            Log.MarkedInterrupted(logger, operation.Id);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static DateTimeOffset LastActivity(BulkOperation operation) =>
        operation.Items.SelectMany(i => new[] { i.StartedAt, i.FinishedAt }).Append(operation.StartedAt).Max() ?? operation.StartedAt;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Bulk operation {OperationId} ({Kind}) started: {Count} items, budget {RequestsPerSecond} Management API requests/s, {MaxInFlight} in flight")]
        public static partial void Started(ILogger logger, Guid operationId, BulkOperationKind kind, int count, double requestsPerSecond, int maxInFlight);

        [LoggerMessage(Level = LogLevel.Information, Message = "Bulk operation {OperationId} ({Kind}) finished: {Succeeded} succeeded, {Failed} failed in {Seconds:0.0} s")]
        public static partial void Finished(ILogger logger, Guid operationId, BulkOperationKind kind, int succeeded, int failed, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "Bulk operation {OperationId} stopped with the application")]
        public static partial void Stopped(ILogger logger, Guid operationId);

        [LoggerMessage(Level = LogLevel.Error, Message = "Bulk operation {OperationId} failed")]
        public static partial void Crashed(ILogger logger, Guid operationId, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Bulk operation item {ItemId} failed unexpectedly")]
        public static partial void ItemCrashed(ILogger logger, Guid itemId, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk operation {OperationId} was left running by a previous process: marked interrupted")]
        public static partial void MarkedInterrupted(ILogger logger, Guid operationId);
    }
}
