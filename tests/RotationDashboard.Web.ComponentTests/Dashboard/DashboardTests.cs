using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Dashboard;
using RotationDashboard.Web.ComponentTests.Rotations;
using RotationDashboard.Web.Components.Dashboard;
using RotationDashboard.Web.Components.Dashboard.Pages;
using RotationDashboard.Web.Components.Layout;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Dashboard;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class DashboardTests : RotationListTestContext
{
    [Fact]
    public void An_empty_dashboard_invites_an_admin_to_create_the_first_rotation()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);

        var home = Render<Home>();

        Assert.Contains("No rotations yet", home.Find("[data-testid=empty-state]").TextContent);
        Assert.Equal("rotations/new", home.Find("[data-testid=create-rotation]").GetAttribute("href"));
        Assert.Empty(home.FindAll("[data-testid=rotation-table]"));
    }

    [Fact]
    public void An_empty_dashboard_tells_a_viewer_who_can_create_rotations()
    {
        SignIn("Vera Viewer", DashboardRoles.Viewer);

        var home = Render<Home>();

        Assert.Contains("An Admin can create rotations.", home.Find("[data-testid=empty-state]").TextContent);
        Assert.Empty(home.FindAll("[data-testid=create-rotation]"));
    }

    [Fact]
    public void The_dashboard_shows_the_counts_the_pictures_and_the_table()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        Rotations.Items.AddRange([Item("a", status: "failed"), Item("b"), Item("c", autoRotation: false)]);
        RunsPerDay.Days = Days((5, 1, 0), (0, 0, 2));
        Upcoming.View = new UpcomingRotationsView([new UpcomingRotation(Guid.NewGuid(), "b", Now.AddDays(2), RotationStrategy.Staged, null)], 1, 30);

        var home = Render<Home>();

        Assert.Equal("3", home.Find("[data-testid=summary-total-count]").TextContent);
        Assert.Equal("1", home.Find("[data-testid=summary-failing-count]").TextContent);
        Assert.Equal("1", home.Find("[data-testid=summary-auto-off-count]").TextContent);
        Assert.Equal("8 runs in the last 90 days: 5 succeeded, 1 failed, 2 rolled back.", home.Find("[data-testid=runs-per-day-summary]").TextContent);
        Assert.Equal("b", home.Find("[data-testid=upcoming-rotation]").GetAttribute("data-rotation"));
        home.WaitForAssertion(() => Assert.Equal(3, home.FindAll("[data-rotation]").Count(e => e.Closest("tr") is not null)));
        Assert.NotNull(home.Find("svg"));
    }

    [Fact]
    public void A_summary_card_filters_the_table_and_a_second_click_shows_all_again()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        Rotations.Items.AddRange([Item("a", status: "failed"), Item("b")]);
        var home = Render<Home>();
        home.WaitForAssertion(() => Assert.Equal(2, home.FindAll("tr [data-rotation]").Count));

        home.Find("[data-testid=summary-failing]").Click();

        home.WaitForAssertion(() => Assert.Single(home.FindAll("tr [data-rotation]")));
        Assert.Equal("true", home.Find("[data-testid=summary-failing]").GetAttribute("aria-pressed"));

        home.Find("[data-testid=summary-failing]").Click();
        home.WaitForAssertion(() => Assert.Equal(2, home.FindAll("tr [data-rotation]").Count));
        Assert.Equal("true", home.Find("[data-testid=summary-total]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void A_dashboard_that_cannot_be_read_says_so_without_the_error_itself()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        Rotations.Failure = new InvalidOperationException("SQLite Error 5: database is locked");

        var home = Render<Home>();

        Assert.Contains("could not be loaded", home.Find("[data-testid=dashboard-error]").TextContent);
        Assert.DoesNotContain("database is locked", home.Markup);
    }

    [Fact]
    public void A_run_finishing_refreshes_the_counts_and_the_pictures()
    {
        SignIn("Ada Admin", DashboardRoles.Admin);
        Rotations.Items.Add(Item("a"));
        var home = Render<Home>();
        home.WaitForAssertion(() => Assert.Single(home.FindAll("tr [data-rotation]")));
        Assert.Equal("runs-per-day-empty", home.Find("[data-testid^=runs-per-day-]").GetAttribute("data-testid"));

        Rotations.Items.Add(Item("b", status: "failed"));
        RunsPerDay.Days = Days((0, 1, 0));
        Notifier.Publish(new RunFinishedEvent(Guid.NewGuid(), Guid.NewGuid(), RunStatus.Failed, "failed", Now));
        Clock.Advance(TimeSpan.FromSeconds(1));

        home.WaitForAssertion(() => Assert.Equal("1", home.Find("[data-testid=summary-failing-count]").TextContent), TimeSpan.FromSeconds(3));
        home.WaitForAssertion(() => Assert.StartsWith("1 runs in the last 90 days", home.Find("[data-testid=runs-per-day-summary]").TextContent));
    }

    [Fact]
    public void The_pictures_have_loading_empty_and_error_states()
    {
        var pending = new TaskCompletionSource<IReadOnlyList<DayRuns>>();
        RunsPerDay.Pending = pending.Task;
        var chart = Render<RunsPerDayChart>();
        Assert.NotNull(chart.Find("[data-testid=runs-per-day-loading]"));
        pending.SetResult(Days((0, 0, 0)));
        chart.WaitForAssertion(() => Assert.Equal("No runs in the last 90 days.", chart.Find("[data-testid=runs-per-day-empty]").TextContent));

        RunsPerDay.Pending = Task.FromException<IReadOnlyList<DayRuns>>(new InvalidOperationException("boom"));
        var failed = Render<RunsPerDayChart>();
        Assert.Equal("The run history could not be loaded.", failed.Find("[data-testid=runs-per-day-error]").TextContent);

        var timeline = Render<UpcomingRotationsTimeline>();
        Assert.Equal("Nothing is due in the next 30 days.", timeline.Find("[data-testid=upcoming-rotations-empty]").TextContent);
        Upcoming.Failure = new InvalidOperationException("boom");
        Assert.Equal("The schedule could not be loaded.", Render<UpcomingRotationsTimeline>().Find("[data-testid=upcoming-rotations-error]").TextContent);
    }

    [Fact]
    public void The_timeline_lists_the_first_rotations_due_and_how_many_there_are_in_all()
    {
        var first = Enumerable.Range(1, 8).Select(i => new UpcomingRotation(Guid.NewGuid(), $"svc-{i}", Now.AddDays(i), RotationStrategy.SinglePhase, null)).ToList();
        Upcoming.View = new UpcomingRotationsView(first, 120, 30);

        var timeline = Render<UpcomingRotationsTimeline>();

        Assert.Equal("120 rotations due; the next 8:", timeline.Find("[data-testid=upcoming-rotations-total]").TextContent.Trim());
        var items = timeline.FindAll("[data-testid=upcoming-rotation]");
        Assert.Equal(8, items.Count);
        Assert.Contains("Sun Dec 6, 12:00", items[0].TextContent);
        Assert.Equal($"rotations/{first[0].Id}", items[0].QuerySelector("a")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_bars_take_the_outcome_colours_of_the_theme_mode(bool dark)
    {
        RunsPerDay.Days = Days((3, 1, 1));
        var palette = dark ? (MudBlazor.Palette)DashboardTheme.Theme.PaletteDark : DashboardTheme.Theme.PaletteLight;

        var chart = Render<RunsPerDayChart>(p => p.AddCascadingValue(DashboardTheme.IsDarkModeCascade, dark));

        var markup = chart.Markup.ToLowerInvariant();
        foreach (var colour in new[] { palette.Success, palette.Error, palette.Warning })
        {
            Assert.Contains(colour.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex).ToLowerInvariant(), markup);
        }
    }

    internal static IReadOnlyList<DayRuns> Days(params (int Succeeded, int Failed, int RolledBack)[] recent)
    {
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        return Enumerable.Range(0, 90).Select(i =>
        {
            var back = 89 - i;
            var (s, f, r) = back < recent.Length ? recent[back] : (0, 0, 0);
            return new DayRuns(today.AddDays(-back), s, f, r, 0);
        }).ToList();
    }
}
