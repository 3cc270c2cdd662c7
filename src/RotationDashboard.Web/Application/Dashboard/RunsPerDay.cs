using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
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
/// The dashboard's run activity: runs per day by outcome. One grouped scan of the (started_at, status) index, so the
/// cost follows the runs in the window, not the whole history.
/// </summary>
public sealed class RunsPerDay(IDbContextFactory<RotationDashboardDbContext> contextFactory, TimeProvider timeProvider) : IRunsPerDay
{
    public const int MaxDays = 366;

    public async Task<IReadOnlyList<DayRuns>> GetAsync(int days, CancellationToken cancellationToken = default)
    {
        days = Math.Clamp(days, 1, MaxDays);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).UtcTicks;
        var until = from + days * TimeSpan.TicksPerDay;

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // Timestamps are UTC ticks (UtcTicksConverter), so a day is an integer division; EF cannot translate that
        // over a converted DateTimeOffset, hence SQL.
        var counts = await db.Database.SqlQuery<DayStatusCount>($"""
            SELECT ("started_at" - {from}) / {TimeSpan.TicksPerDay} AS "Day", "status" AS "Status", COUNT(*) AS "Runs"
            FROM "rotation_runs"
            WHERE "started_at" >= {from} AND "started_at" < {until}
            GROUP BY 1, 2
            """).ToListAsync(cancellationToken);

        var result = new DayRuns[days];
        for (var i = 0; i < days; i++)
        {
            result[i] = new DayRuns(first.AddDays(i), 0, 0, 0, 0);
        }

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

        return result;
    }

    private sealed class DayStatusCount
    {
        public int Day { get; set; }

        public string Status { get; set; } = "";

        public int Runs { get; set; }
    }
}
