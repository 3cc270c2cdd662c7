using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Dashboard;
using RotationDashboard.Web.Application.Preferences;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Dashboard;

/// <summary>The dashboard's pictures and the theme choice over the real host and its SQLite database.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class DashboardReadsTests(DashboardAppFactory app) : IClassFixture<DashboardAppFactory>
{
    [Fact]
    public async Task Runs_per_day_and_the_rotations_due_match_the_database()
    {
        await using (var db = await app.CreateContextAsync())
        {
            await RotationSeeding.InsertRotationsAsync(db, await app.SandboxConnectionIdAsync(), await app.DefaultProjectIdAsync(), 300);
            Assert.Equal(1_200, await RotationSeeding.InsertRunsAsync(db, perRotation: 4, days: 180));
        }

        var days = await app.Get<IRunsPerDay>().GetAsync(90);

        Assert.Equal(90, days.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), days[^1].Day);
        await using var check = await app.CreateContextAsync();
        var since = new DateTimeOffset(days[0].Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var runs = await check.RotationRuns.Where(r => r.StartedAt >= since).Select(r => r.Status).ToListAsync();
        Assert.Equal(runs.Count(s => s == RunStatus.Succeeded), days.Sum(d => d.Succeeded));
        Assert.Equal(runs.Count(s => s == RunStatus.Failed), days.Sum(d => d.Failed));
        Assert.Equal(runs.Count(s => s == RunStatus.RolledBack), days.Sum(d => d.RolledBack));
        Assert.InRange(runs.Count, 400, 900); // about half of 1,200 started in the last 90 of 180 days

        // A second read keeps the past days and reads today again; the same counts come back.
        Assert.Equal(days, await app.Get<IRunsPerDay>().GetAsync(90));

        var due = await app.Get<IUpcomingRotations>().GetAsync(30, 5);
        var until = DateTimeOffset.UtcNow.AddDays(30);
        var expected = await check.Rotations.CountAsync(r => r.IsAutoRotationEnabled && r.NextRotationAt != null && r.NextRotationAt <= until);
        Assert.Equal(expected, due.Total);
        Assert.Equal(5, due.First.Count);
        Assert.Equal(due.First.OrderBy(r => r.NextRotationAt).Select(r => r.Name), due.First.Select(r => r.Name));
    }

    [Fact]
    public async Task A_stored_dark_choice_is_in_the_prerendered_page_for_that_user_only()
    {
        using var admin = await SandboxSignIn.CreateSignedInClientAsync(app.StartKestrel(), SandboxSignIn.Admin);
        using var viewer = await SandboxSignIn.CreateSignedInClientAsync(app.StartKestrel(), SandboxSignIn.Viewer);
        Assert.Contains("data-mode=\"light\"", await admin.GetStringAsync(""));

        string subject;
        await using (var db = await app.CreateContextAsync())
        {
            subject = await db.UserSessions.Where(s => s.UserName == SandboxSignIn.Admin).Select(s => s.Subject).FirstAsync();
        }

        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, subject)], "test"));
        await app.Get<IThemePreferences>().SaveDarkModeAsync(user, darkMode: true);

        Assert.True(await app.Get<IThemePreferences>().GetDarkModeAsync(user));
        Assert.Contains("data-mode=\"dark\"", await admin.GetStringAsync(""));
        Assert.Contains("data-mode=\"light\"", await viewer.GetStringAsync(""));
    }
}
