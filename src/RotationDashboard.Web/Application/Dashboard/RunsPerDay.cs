using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Application.Dashboard;

/// <summary>How many runs ended each way on one UTC day.</summary>
public sealed record DayRuns(DateOnly Day, int Succeeded, int Failed, int RolledBack, int Running)
{
    public int Total => Succeeded + Failed + RolledBack + Running;
}

public interface IRunsPerDay
{
    /// <summary>One entry per UTC day, oldest first, ending today; days without runs count zero.</summary>
    Task<IReadOnlyList<DayRuns>> GetAsync(int days, CancellationToken cancellationToken = default);
}

/// <summary>
/// The dashboard's run activity: runs per day by outcome. One grouped scan of the (started_at, status) index. Days
/// before today only change when a run that started then finishes or its rotation is deleted, so their counts are
/// kept until such an event (or midnight); each call then reads only today's runs.
/// </summary>
public sealed class RunsPerDay : IRunsPerDay, IDisposable
{
    public const int MaxDays = 366;

    private readonly IDbContextFactory<RotationDashboardDbContext> _contextFactory;
    private readonly TimeProvider _timeProvider;
    private readonly IDisposable _subscription;
    private readonly Lock _gate = new();
    private History? _history;

    public RunsPerDay(IDbContextFactory<RotationDashboardDbContext> contextFactory, TimeProvider timeProvider, IRotationRunNotifier notifier)
    {
        _contextFactory = contextFactory;
        _timeProvider = timeProvider;
        _subscription = notifier.Subscribe(e =>
        {
            if (e is RunFinishedEvent or RotationChangedEvent { Kind: RotationChangeKind.Deleted })
            {
                Forget();
            }
        });
    }

    /// <summary>Drops the kept counts of past days (the next call reads the whole window).</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _history = null;
        }
    }

    public async Task<IReadOnlyList<DayRuns>> GetAsync(int days, CancellationToken cancellationToken = default)
    {
        days = Math.Clamp(days, 1, MaxDays);
        var today = DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        History? history;
        lock (_gate)
        {
            history = _history is { } kept && kept.Today == today && kept.Days == days ? kept : null;
        }

        var result = new DayRuns[days];
        for (var i = 0; i < days; i++)
        {
            result[i] = history is not null && i < days - 1 ? history.Past[i] : new DayRuns(first.AddDays(i), 0, 0, 0, 0);
        }

        // Read from the first day not kept: today only, or the whole window.
        var readFrom = history is null ? 0 : days - 1;
        await using (var db = await _contextFactory.CreateDbContextAsync(cancellationToken))
        {
            await CountAsync(db, first, readFrom, days, result, cancellationToken);
        }

        if (history is null)
        {
            lock (_gate)
            {
                _history = new History(today, days, result[..^1]);
            }
        }

        return result;
    }

    private static async Task CountAsync(RotationDashboardDbContext db, DateOnly first, int fromIndex, int days, DayRuns[] result, CancellationToken cancellationToken)
    {
        var origin = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).UtcTicks;
        var from = origin + fromIndex * TimeSpan.TicksPerDay;
        var until = origin + days * TimeSpan.TicksPerDay;
        // Timestamps are UTC ticks (UtcTicksConverter), so a day is an integer division; EF cannot translate that
        // over a converted DateTimeOffset, hence SQL.
        var counts = await db.Database.SqlQuery<DayStatusCount>($"""
            SELECT ("started_at" - {origin}) / {TimeSpan.TicksPerDay} AS "Day", "status" AS "Status", COUNT(*) AS "Runs"
            FROM "rotation_runs"
            WHERE "started_at" >= {from} AND "started_at" < {until}
            GROUP BY 1, 2
            """).ToListAsync(cancellationToken);

        foreach (var count in counts)
        {
            var day = result[count.Day];
            result[count.Day] = count.Status switch
            {
                nameof(RunStatus.Succeeded) => day with { Succeeded = day.Succeeded + count.Runs },
                nameof(RunStatus.Failed) => day with { Failed = day.Failed + count.Runs },
                nameof(RunStatus.RolledBack) => day with { RolledBack = day.RolledBack + count.Runs },
                _ => day with { Running = day.Running + count.Runs },
            };
        }
    }

    public void Dispose() => _subscription.Dispose();

    private sealed record History(DateOnly Today, int Days, DayRuns[] Past);

    private sealed class DayStatusCount
    {
        public int Day { get; set; }

        public string Status { get; set; } = "";

        public int Runs { get; set; }
    }
}
