using Microsoft.EntityFrameworkCore;
using Quartz;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Scheduling;

/// <summary>
/// Clustered (PostgreSQL) only, on one instance at a time: resumes the unfinished runs whose lease has expired. A run
/// executes inside its instance, not inside a Quartz firing (a firing only starts it), so when that instance dies
/// (<c>kill -9</c>, a lost machine) Quartz has nothing to recover: the run's row is still Running and its lease stops
/// being renewed. Once the lease is past, this job hands the run to the engine here, which takes the lease and
/// continues from the last completed step (or keeps waiting out a lead time or grace period).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class OrphanedRunSweepJob(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    RotationEngine engine,
    TimeProvider timeProvider,
    ILogger<OrphanedRunSweepJob> logger) : IJob
{
    public static readonly JobKey Key = new("orphaned-run-sweep", RotationScheduler.Group);
    public static readonly TriggerKey TriggerKey = new("orphaned-run-sweep", RotationScheduler.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var orphaned = await db.RotationRuns.AsNoTracking()
            .Where(run => run.Status == RunStatus.Running)
            .Join(db.Rotations.AsNoTracking(), run => run.RotationId, rotation => rotation.Id, (run, rotation) => rotation)
            .Where(rotation => rotation.LeaseHolder != null && rotation.LeaseExpiresAt < now)
            .Select(rotation => new { rotation.Id, rotation.LeaseHolder })
            .ToListAsync(cancellationToken);
        foreach (var rotation in orphaned)
        {
            var result = await engine.ResumeAsync(rotation.Id, cancellationToken);
            LogTakenOver(logger, rotation.Id, rotation.LeaseHolder, result.Status);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run of rotation {RotationId} was left by {Holder} (lease expired): {Status}")]
    private static partial void LogTakenOver(ILogger logger, Guid rotationId, string? holder, RunStartStatus status);
}
