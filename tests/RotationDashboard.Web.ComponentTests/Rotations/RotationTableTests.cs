using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;
using RotationsPage = RotationDashboard.Web.Components.Rotations.Pages.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationTableTests : RotationListTestContext
{
    public RotationTableTests() => SignIn("Ada Admin", DashboardRoles.Admin);

    [Fact]
    public void The_table_shows_one_page_from_the_server_and_says_how_many_pages_there_are()
    {
        Rotations.Items.AddRange(Enumerable.Range(0, 30).Select(i => Item($"svc-{i:00}")));

        var table = Render<RotationTable>(p => p.Add(t => t.PageSize, 10));

        table.WaitForAssertion(() => Assert.Equal(10, table.FindAll("[data-rotation]").Count));
        Assert.Equal("svc-00", table.FindAll("[data-rotation]")[0].GetAttribute("data-rotation"));
        Assert.Equal("Page 1 of 3 (30 rotations)", table.Find("[data-testid=rotation-page-summary]").TextContent);
        var query = Assert.Single(Rotations.Queries);
        Assert.Equal((0, 10, RotationSortField.Name, false), (query.Skip, query.Take, query.SortBy, query.Descending));
    }

    [Fact]
    public void A_row_shows_the_application_strategy_status_and_a_link_to_the_rotation()
    {
        var failed = Item("billing", RotationStrategy.SinglePhase, status: "failed", message: "Auth0 refused the new secret");
        Rotations.Items.Add(failed);

        var table = Render<RotationTable>();

        var row = table.WaitForElement("[data-rotation=billing]").Closest("tr")!;
        Assert.Equal($"rotations/{failed.Id}", row.QuerySelector("[data-testid=rotation-link]")!.GetAttribute("href"));
        Assert.Equal("App billing", row.QuerySelector("[data-testid=rotation-app-name]")!.TextContent);
        Assert.Contains("Single-phase", row.QuerySelector("[data-testid=strategy-badge]")!.TextContent);
        Assert.Equal("failed", row.QuerySelector("[data-testid=rotation-status]")!.GetAttribute("data-status"));
        Assert.Equal("Auth0 refused the new secret", row.QuerySelector("[data-testid=rotation-failure-reason]")!.TextContent);
    }

    [Fact]
    public void An_empty_list_says_there_are_no_rotations_and_a_failed_load_says_so()
    {
        var empty = Render<RotationTable>();
        empty.WaitForAssertion(() => Assert.Equal("No rotations yet.", empty.Find("[data-testid=rotation-grid-empty]").TextContent));

        Rotations.Failure = new InvalidOperationException("database is locked");
        var failing = Render<RotationTable>();
        failing.WaitForAssertion(() => Assert.Contains("could not be loaded", failing.Find("[data-testid=rotation-table-error]").TextContent));
        Assert.DoesNotContain("database is locked", failing.Markup);
    }

    [Fact]
    public void Searching_asks_the_server_again_from_the_first_page_and_keeps_the_filters_in_the_address()
    {
        Rotations.Items.AddRange([Item("ledger-sync"), Item("billing")]);
        var table = Render<RotationTable>(p => p.Add(t => t.SyncWithAddress, true));
        table.WaitForAssertion(() => Assert.Equal(2, table.FindAll("[data-rotation]").Count));

        table.Find("input[data-testid=rotation-search]").Input("ledger");
        Clock.Advance(TimeSpan.FromMilliseconds(400)); // the field waits for typing to pause

        table.WaitForAssertion(() => Assert.Single(table.FindAll("[data-rotation]")), TimeSpan.FromSeconds(3));
        Assert.Equal("ledger", Rotations.Queries[^1].Search);
        table.WaitForAssertion(() => Assert.Equal("http://localhost/?q=ledger", Services.GetRequiredService<NavigationManager>().Uri));
        Assert.Contains("Clear filters", table.Find("[data-testid=rotation-clear-filters]").TextContent);
    }

    [Fact]
    public async Task A_filter_set_from_outside_reloads_the_table_and_filtering_to_nothing_says_so()
    {
        Rotations.Items.AddRange([Item("a", status: "failed"), Item("b")]);
        var table = Render<RotationTable>(p => p.Add(t => t.SyncWithAddress, true));
        table.WaitForAssertion(() => Assert.Equal(2, table.FindAll("[data-rotation]").Count));

        await table.InvokeAsync(() => table.Instance.SetFilterAsync(RotationListFilter.Failed));

        table.WaitForAssertion(() => Assert.Single(table.FindAll("[data-rotation]")));
        table.WaitForAssertion(() => Assert.EndsWith("?status=failed", Services.GetRequiredService<NavigationManager>().Uri));

        await table.InvokeAsync(() => table.Instance.SetFilterAsync(RotationListFilter.AutoRotationOff));
        table.WaitForAssertion(() => Assert.Equal("No rotation matches these filters.", table.Find("[data-testid=rotation-grid-empty]").TextContent));
    }

    [Fact]
    public void A_run_finishing_elsewhere_refreshes_the_table()
    {
        var table = Render<RotationTable>();
        table.WaitForAssertion(() => Assert.Equal("No rotations yet.", table.Find("[data-testid=rotation-grid-empty]").TextContent));

        Rotations.Items.Add(Item("fresh"));
        Notifier.Publish(new RotationChangedEvent(Guid.NewGuid(), RotationChangeKind.Created, Now));
        Clock.Advance(TimeSpan.FromSeconds(1));

        table.WaitForAssertion(() => Assert.Single(table.FindAll("[data-rotation=fresh]")), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void The_rotations_page_reads_its_filters_from_the_address_and_offers_create_only_to_admins()
    {
        Services.GetRequiredService<BunitNavigationManager>().NavigateTo("rotations?q=ledger&status=failed&strategy=staged");
        var page = Render<RotationsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(Rotations.Queries));
        var query = Rotations.Queries[^1];
        Assert.Equal(("ledger", RotationListFilter.Failed, RotationStrategy.Staged), (query.Search, query.Filter, query.Strategy));
        Assert.Equal("rotations/new", page.Find("[data-testid=create-rotation]").GetAttribute("href"));
        Assert.Equal("Rotations", page.Find("h1").TextContent);
    }

    [Fact]
    public void A_viewer_sees_the_rotations_page_without_the_create_button()
    {
        SignIn("Vera Viewer", DashboardRoles.Viewer);

        var page = Render<RotationsPage>();

        Assert.Empty(page.FindAll("[data-testid=create-rotation]"));
    }
}
