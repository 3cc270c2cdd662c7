using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Telemetry;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Notifications;

/// <summary>
/// Turns what happened into notification events. It reads the database, not only the in-process run events: finished
/// runs, failed connection tests (the <c>connection.validate</c> audit entries) and the rotations' dates. The engine's
/// events only wake it early. Each occurrence has a stable key (a run id, an audit id, a due date), so a scan after a
/// restart, a second instance or a repeated wake-up records nothing twice. Also records the run metrics, once per run.
/// </summary>
public sealed partial class NotificationSources(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    NotificationOutbox outbox,
    IRotationRunNotifier notifier,
    IOptions<NotificationOptions> options,
    TimeProvider timeProvider,
    ILogger<NotificationSources> logger) : BackgroundService
{
    private const string RunsCursor = "cursor:runs";
    private const string AuditCursor = "cursor:audit";
    private const string SinglePhaseAutoCondition = "cond:single-phase-auto:";

    private static long _overdue;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _scanLock = new(1, 1);

    static NotificationSources()
    {
        DashboardTelemetry.Meter.CreateObservableGauge("rotation_dashboard.rotations.overdue", () => Interlocked.Read(ref _overdue),
            "{rotation}", "Auto-rotated rotations whose next rotation is more than 5 minutes past due");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(e =>
        {
            if (e is RunFinishedEvent or RotationChangedEvent)
            {
                try { _wake.Release(); } catch (SemaphoreFullException) { }
            }
        });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(logger, ex);
            }

            using var timer = new CancellationTokenSource(options.Value.ScanInterval, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
            try
            {
                await _wake.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>One pass over every source (serialized).</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        await _scanLock.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var state = await db.NotificationSourceStates.ToDictionaryAsync(s => s.Key, cancellationToken);
            var firstScan = !state.ContainsKey(RunsCursor);
            // Only the columns the sources need: a scan may look at many thousands of rotations.
            var rotations = (await db.Rotations.AsNoTracking()
                .Join(db.Environments, r => r.EnvironmentId, e => e.Id, (r, e) => new
                {
                    r.Id, r.Name, r.ProjectId, r.Type, r.Strategy, r.IsAutoRotationEnabled, r.NextRotationAt, r.LastRotatedAt,
                    r.UseSelfSignedCertificate, r.RotationInterval, r.RetireGracePeriod, r.RotationStatus, r.UpdatedAt, e.Slug,
                    r.PausedAt, r.ConsecutiveFailures, r.LastRotationJobId,
                })
                .ToListAsync(cancellationToken))
                .Select(r => new RotationFacts(new RotationRow(r.Id, r.Name, r.ProjectId, r.Type, r.Strategy, r.IsAutoRotationEnabled, r.NextRotationAt,
                    r.LastRotatedAt, r.UseSelfSignedCertificate, r.RotationInterval, r.RetireGracePeriod, r.RotationStatus, r.UpdatedAt,
                    r.PausedAt, r.ConsecutiveFailures, r.LastRotationJobId), r.Slug))
                .ToList();
            var byId = rotations.ToDictionary(r => r.Rotation.Id);

            var runsCursor = firstScan ? now : new DateTimeOffset(state[RunsCursor].Value, TimeSpan.Zero);
            await ScanRunsAsync(db, byId, runsCursor, cancellationToken);
            await ScanConnectionTestsAsync(db, state, cancellationToken);
            await ScanConditionsAsync(db, rotations, state, firstScan, now, cancellationToken);
            await ScanPausesAsync(db, rotations, cancellationToken);
            Interlocked.Exchange(ref _overdue, rotations.Count(r =>
                r.Rotation.IsAutoRotationEnabled && r.Rotation.NextRotationAt is { } next && next < now - TimeSpan.FromMinutes(5)));
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            _scanLock.Release();
        }
    }

    private async Task ScanRunsAsync(
        RotationDashboardDbContext db, Dictionary<Guid, RotationFacts> rotations, DateTimeOffset cursor, CancellationToken cancellationToken)
    {
        var finished = await db.RotationRuns.AsNoTracking()
            .Where(r => r.FinishedAt != null && r.FinishedAt >= cursor && r.Status != RunStatus.Running)
            .OrderBy(r => r.FinishedAt).Take(500).ToListAsync(cancellationToken);
        var next = cursor;
        foreach (var run in finished)
        {
            next = run.FinishedAt!.Value > next ? run.FinishedAt.Value : next;
            if (!rotations.TryGetValue(run.RotationId, out var facts)) continue;
            var failed = run.Status is RunStatus.Failed or RunStatus.RolledBack;
            var type = failed ? NotificationEventTypes.RunFailed : NotificationEventTypes.RunSucceeded;
            var recorded = await outbox.EnqueueAsync($"{(failed ? "run-failed" : "run-succeeded")}:{run.Id:N}", facts.Event(type,
                failed ? $"Rotation {facts.Rotation.Name} failed" : $"Rotation {facts.Rotation.Name} succeeded", run.FinishedAt.Value) with
            {
                RunId = run.Id,
                Reason = failed ? run.Message : null,
                At = failed && facts.Rotation.IsAutoRotationEnabled ? facts.Rotation.NextRotationAt : null,
            }, cancellationToken);
            if (recorded)
            {
                RecordRunMetrics(db, run);
            }
        }

        SetState(db, RunsCursor, next.UtcTicks);
    }

    private static void RecordRunMetrics(RotationDashboardDbContext db, RotationRun run)
    {
        var outcome = run.Status switch { RunStatus.Succeeded => "succeeded", RunStatus.RolledBack => "rolled_back", _ => "failed" };
        var strategy = run.Strategy.ToString();
        DashboardTelemetry.Runs.Add(1, new("strategy", strategy), new("outcome", outcome));
        DashboardTelemetry.RunDuration.Record((run.FinishedAt!.Value - run.StartedAt).TotalSeconds, new("strategy", strategy), new("outcome", outcome));
        foreach (var step in db.RunSteps.AsNoTracking().Where(s => s.RunId == run.Id && s.StartedAt != null && s.FinishedAt != null).ToList())
        {
            DashboardTelemetry.StepDuration.Record((step.FinishedAt!.Value - step.StartedAt!.Value).TotalSeconds,
                new("step", step.Name.ToString()), new("outcome", step.Status.ToString()));
        }
    }

    private async Task ScanConnectionTestsAsync(
        RotationDashboardDbContext db, Dictionary<string, NotificationSourceState> state, CancellationToken cancellationToken)
    {
        if (!state.TryGetValue(AuditCursor, out var cursor))
        {
            var last = await db.AuditEvents.MaxAsync(a => (long?)a.Id, cancellationToken) ?? 0;
            SetState(db, AuditCursor, last);
            return;
        }

        var failures = await db.AuditEvents.AsNoTracking()
            .Where(a => a.Id > cursor.Value && a.Action == AuditActions.ConnectionValidate)
            .OrderBy(a => a.Id).Take(500).ToListAsync(cancellationToken);
        foreach (var audit in failures.Where(a => a.Outcome == AuditOutcome.Failure))
        {
            _ = Guid.TryParse(audit.TargetId, out var connectionId);
            await outbox.EnqueueAsync($"connection-test-failed:{audit.Id}", new NotificationEvent
            {
                Id = Guid.NewGuid(),
                Type = NotificationEventTypes.ConnectionTestFailed,
                OccurredAt = audit.OccurredAt,
                Summary = $"Connection test failed: {audit.TargetName}",
                ConnectionId = connectionId == Guid.Empty ? null : connectionId,
                ConnectionName = audit.TargetName,
                Reason = audit.Details,
            }, cancellationToken);
        }

        if (failures.Count > 0) SetState(db, AuditCursor, failures[^1].Id);
    }

    private async Task ScanConditionsAsync(
        RotationDashboardDbContext db, List<RotationFacts> rotations, Dictionary<string, NotificationSourceState> state, bool firstScan,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var candidates = new List<(string Key, Func<NotificationEvent> Event)>();
        foreach (var facts in rotations)
        {
            var r = facts.Rotation;
            if (r.IsAutoRotationEnabled && r.NextRotationAt is { } due && due > now && due - now <= TimeSpan.FromDays(o.DueSoonDays)
                && r.RotationStatus != RotationStatus.Failed)
            {
                candidates.Add(($"due:{r.Id:N}:{due.UtcTicks}", () => facts.Event(NotificationEventTypes.RotationDue,
                    $"Rotation {r.Name} is due {due.UtcDateTime:yyyy-MM-dd}", now) with { At = due }));
            }

            if (r.Type == RotationType.Auth0PrivateKeyJwt && r.UseSelfSignedCertificate && r.LastRotatedAt is { } rotated)
            {
                var expires = rotated + RotationRules.CertificateValidity(r.RotationInterval, r.RetireGracePeriod);
                if (expires - now <= TimeSpan.FromDays(o.CredentialExpiringDays))
                {
                    candidates.Add(($"credential-expiring:{r.Id:N}:{expires.UtcTicks}", () => facts.Event(NotificationEventTypes.CredentialExpiring,
                        $"The certificate of rotation {r.Name} expires {expires.UtcDateTime:yyyy-MM-dd}", now) with { At = expires }));
                }
            }

            // Fires when the condition starts to hold (remembered in the state table), not on every scan while it holds.
            var key = SinglePhaseAutoCondition + r.Id.ToString("N");
            var holds = r.Strategy == RotationStrategy.SinglePhase && r.IsAutoRotationEnabled;
            if (holds && !state.ContainsKey(key))
            {
                SetState(db, key, r.UpdatedAt.UtcTicks);
                if (!firstScan)
                {
                    await outbox.EnqueueAsync($"single-phase-auto:{r.Id:N}:{r.UpdatedAt.UtcTicks}", facts.Event(NotificationEventTypes.SinglePhaseAutoRotation,
                        $"Auto-rotation turned on for single-phase rotation {r.Name}: each run stops the old secret at once", r.UpdatedAt) with
                    {
                        At = r.NextRotationAt,
                    }, cancellationToken);
                }
            }
            else if (!holds && state.TryGetValue(key, out var stale))
            {
                db.NotificationSourceStates.Remove(stale);
            }
        }

        // Most candidates were recorded by an earlier scan: look their keys up in bulk, enqueue only the new ones.
        foreach (var chunk in candidates.Chunk(400))
        {
            var keys = chunk.Select(c => c.Key).ToList();
            var known = (await db.NotificationEvents.AsNoTracking().Where(e => keys.Contains(e.OccurrenceKey)).Select(e => e.OccurrenceKey)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            foreach (var (candidateKey, build) in chunk.Where(c => !known.Contains(c.Key)))
            {
                await outbox.EnqueueAsync(candidateKey, build(), cancellationToken);
            }
        }
    }

    /// <summary>One event per pause: the key is the rotation and the time it paused, so a later pause fires again.</summary>
    private async Task ScanPausesAsync(RotationDashboardDbContext db, List<RotationFacts> rotations, CancellationToken cancellationToken)
    {
        var paused = rotations.Where(r => r.Rotation.PausedAt is not null)
            .Select(r => (Key: $"paused:{r.Rotation.Id:N}:{r.Rotation.PausedAt!.Value.UtcTicks}", Facts: r)).ToList();
        foreach (var chunk in paused.Chunk(400))
        {
            var keys = chunk.Select(c => c.Key).ToList();
            var known = (await db.NotificationEvents.AsNoTracking().Where(e => keys.Contains(e.OccurrenceKey)).Select(e => e.OccurrenceKey)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, facts) in chunk.Where(c => !known.Contains(c.Key)))
            {
                var r = facts.Rotation;
                // The run's message is scrubbed when the run stores it; the rotation's own copy is encrypted.
                var lastRun = r.LastRotationJobId is { } runId
                    ? await db.RotationRuns.AsNoTracking().Where(x => x.Id == runId).Select(x => new { x.Id, x.Message }).FirstOrDefaultAsync(cancellationToken)
                    : null;
                await outbox.EnqueueAsync(key, facts.Event(NotificationEventTypes.RotationPaused,
                    $"Rotation {r.Name} paused after {r.ConsecutiveFailures} failed runs in a row; turn auto-rotation on to resume", r.PausedAt!.Value) with
                {
                    RunId = lastRun?.Id,
                    Reason = lastRun?.Message,
                    FailureCount = r.ConsecutiveFailures,
                    At = r.PausedAt,
                }, cancellationToken);
            }
        }
    }

    private static void SetState(RotationDashboardDbContext db, string key, long value)
    {
        var existing = db.NotificationSourceStates.Local.FirstOrDefault(s => s.Key == key) ?? db.NotificationSourceStates.Find(key);
        if (existing is null) db.NotificationSourceStates.Add(new NotificationSourceState { Key = key, Value = value });
        else existing.Value = value;
    }

    private sealed record RotationRow(
        Guid Id, string Name, Guid ProjectId, RotationType Type, RotationStrategy Strategy, bool IsAutoRotationEnabled, DateTimeOffset? NextRotationAt,
        DateTimeOffset? LastRotatedAt, bool UseSelfSignedCertificate, int RotationInterval, TimeSpan RetireGracePeriod, RotationStatus? RotationStatus,
        DateTimeOffset UpdatedAt, DateTimeOffset? PausedAt, int ConsecutiveFailures, Guid? LastRotationJobId);

    private sealed record RotationFacts(RotationRow Rotation, string Environment)
    {
        public NotificationEvent Event(string type, string summary, DateTimeOffset occurredAt) => new()
        {
            Id = Guid.NewGuid(),
            Type = type,
            OccurredAt = occurredAt,
            Summary = summary,
            RotationId = Rotation.Id,
            RotationName = Rotation.Name,
            ProjectId = Rotation.ProjectId,
            Environment = Environment,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification event scan failed; it runs again shortly")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
