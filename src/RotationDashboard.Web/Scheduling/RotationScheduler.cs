using Microsoft.EntityFrameworkCore;
using Quartz;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Scheduling;

/// <summary>
/// One Quartz trigger per auto-rotating rotation, at its own <c>nextRotationAt</c> (for a staged rotation at
/// <c>nextRotationAt - leadTime</c>, so Auth0 switches at the rotate-at time), plus a resume trigger for a run that
/// waits (a Private Key JWT grace period) or was interrupted. The database is the source of truth: every change
/// re-reads the rotation, and changes to one rotation are applied one at a time so the last one wins.
/// </summary>
public sealed partial class RotationScheduler(
    ISchedulerFactory schedulerFactory,
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<RotationScheduler> logger) : IRotationFollowUpScheduler
{
    public const string Group = "rotations";
    public static readonly JobKey RotateJobKey = new("rotate", Group);
    public static readonly JobKey ResumeJobKey = new("resume", Group);
    public const string RotationIdKey = "rotationId";

    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public static TriggerKey RotateTriggerKey(Guid rotationId) => new($"rotate-{rotationId:N}", Group);

    public static TriggerKey ResumeTriggerKey(Guid rotationId) => new($"resume-{rotationId:N}", Group);

    /// <summary>When a rotation's scheduled run starts: its next rotation time, less the lead time for a staged rotation.</summary>
    public static DateTimeOffset? FireTimeOf(bool isAutoRotationEnabled, DateTimeOffset? nextRotationAt, RotationStrategy strategy, TimeSpan stagedLeadTime) =>
        isAutoRotationEnabled && nextRotationAt is { } next
            ? strategy == RotationStrategy.Staged ? next - stagedLeadTime : next
            : null;

    public async Task RescheduleAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        var gate = _locks[(rotationId.GetHashCode() & int.MaxValue) % _locks.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var rotation = await db.Rotations.AsNoTracking()
                .Where(r => r.Id == rotationId)
                .Select(r => new { r.IsAutoRotationEnabled, r.NextRotationAt, r.Strategy, r.StagedLeadTime })
                .SingleOrDefaultAsync(cancellationToken);
            var fireAt = rotation is null ? null : FireTimeOf(rotation.IsAutoRotationEnabled, rotation.NextRotationAt, rotation.Strategy, rotation.StagedLeadTime);
            var scheduler = await GetSchedulerAsync(cancellationToken);
            if (fireAt is null)
            {
                if (await scheduler.UnscheduleJob(RotateTriggerKey(rotationId), cancellationToken))
                {
                    LogUnscheduled(logger, rotationId);
                }

                if (rotation is null)
                {
                    await scheduler.UnscheduleJob(ResumeTriggerKey(rotationId), cancellationToken);
                }

                return;
            }

            await ScheduleAsync(scheduler, RotateTriggerKey(rotationId), RotateJobKey, rotationId, fireAt.Value, cancellationToken);
            LogScheduled(logger, rotationId, fireAt.Value);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ScheduleResumeAsync(Guid rotationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        await ScheduleAsync(scheduler, ResumeTriggerKey(rotationId), ResumeJobKey, rotationId, at, cancellationToken);
        LogResumeScheduled(logger, rotationId, at);
    }

    /// <summary>Removes both triggers of a deleted rotation.</summary>
    public async Task UnscheduleAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        await scheduler.UnscheduleJobs([RotateTriggerKey(rotationId), ResumeTriggerKey(rotationId)], cancellationToken);
    }

    /// <summary>The time the rotation's trigger fires next (null when none is scheduled).</summary>
    public async Task<DateTimeOffset?> GetNextFireTimeAsync(Guid rotationId, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken);
        return (await scheduler.GetTrigger(RotateTriggerKey(rotationId), cancellationToken))?.NextFireTimeUtc;
    }

    /// <summary>
    /// Rebuilds the triggers from the database at start: every auto-rotating rotation gets its trigger (overdue ones
    /// fire at once), and every unfinished run a resume trigger.
    /// </summary>
    public async Task<(int Scheduled, int Resumed)> RebuildAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotations = await db.Rotations.AsNoTracking()
            .Where(r => r.IsAutoRotationEnabled && r.NextRotationAt != null)
            .Select(r => new { r.Id, r.NextRotationAt, r.Strategy, r.StagedLeadTime })
            .ToListAsync(cancellationToken);
        var unfinished = await db.RotationRuns.AsNoTracking()
            .Where(r => r.Status == RunStatus.Running)
            .Select(r => r.RotationId)
            .ToListAsync(cancellationToken);

        var scheduler = await GetSchedulerAsync(cancellationToken);
        foreach (var rotation in rotations)
        {
            var fireAt = FireTimeOf(true, rotation.NextRotationAt, rotation.Strategy, rotation.StagedLeadTime)!.Value;
            await ScheduleAsync(scheduler, RotateTriggerKey(rotation.Id), RotateJobKey, rotation.Id, fireAt, cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        foreach (var rotationId in unfinished)
        {
            // The engine decides what to do: resume an interrupted run, or wait out a grace period.
            await ScheduleAsync(scheduler, ResumeTriggerKey(rotationId), ResumeJobKey, rotationId, now, cancellationToken);
        }

        LogRebuilt(logger, rotations.Count, unfinished.Count);
        return (rotations.Count, unfinished.Count);
    }

    private async Task ScheduleAsync(IScheduler scheduler, TriggerKey key, JobKey job, Guid rotationId, DateTimeOffset fireAt, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var trigger = TriggerBuilder.Create(timeProvider)
            .WithIdentity(key)
            .ForJob(job)
            .UsingJobData(RotationIdKey, rotationId.ToString())
            .StartAt(fireAt > now ? fireAt : now)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }

    private ValueTask<IScheduler> GetSchedulerAsync(CancellationToken cancellationToken) =>
        schedulerFactory.GetScheduler(cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rotation {RotationId} scheduled at {FireAt:o}")]
    private static partial void LogScheduled(ILogger logger, Guid rotationId, DateTimeOffset fireAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotation {RotationId} unscheduled")]
    private static partial void LogUnscheduled(ILogger logger, Guid rotationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run of rotation {RotationId} resumes at {At:o}")]
    private static partial void LogResumeScheduled(ILogger logger, Guid rotationId, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler rebuilt: {Scheduled} rotation trigger(s), {Resumed} run(s) to resume")]
    private static partial void LogRebuilt(ILogger logger, int scheduled, int resumed);
}

/// <summary>A rotation's trigger fired: start a scheduled run if it is due (the engine checks, under the lease).</summary>
public sealed partial class RotateRotationJob(RotationEngine engine, RotationScheduler scheduler, TimeProvider timeProvider, ILogger<RotateRotationJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var rotationId = Guid.Parse(context.MergedJobDataMap.GetString(RotationScheduler.RotationIdKey)!);
        var now = timeProvider.GetUtcNow();
        var lag = now - (context.ScheduledFireTimeUtc ?? now);
        Core.Telemetry.DashboardTelemetry.ScheduleLag.Record(Math.Max(0, lag.TotalSeconds));
        var start = await engine.StartAsync(rotationId, RunTrigger.Schedule, Actor.Scheduler, cancellationToken: cancellationToken);
        LogFired(logger, rotationId, start.Status, lag.TotalMilliseconds);
        if (start.Status == RunStartStatus.NotDue)
        {
            await scheduler.RescheduleAsync(rotationId, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled trigger of rotation {RotationId}: {Status} ({LagMs:0} ms after its fire time)")]
    private static partial void LogFired(ILogger logger, Guid rotationId, RunStartStatus status, double lagMs);
}

/// <summary>A run's follow-up fired: continue it (after a crash, or when its grace period is over).</summary>
public sealed class ResumeRotationRunJob(RotationEngine engine) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var rotationId = Guid.Parse(context.MergedJobDataMap.GetString(RotationScheduler.RotationIdKey)!);
        await engine.ResumeAsync(rotationId, cancellationToken);
    }
}
