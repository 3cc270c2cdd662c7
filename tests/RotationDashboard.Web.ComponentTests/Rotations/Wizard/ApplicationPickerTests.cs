using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Connections;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Wizard;

/// <summary>The wizard's application picker: loading, empty, error, owned by another rotation, picking, search and paging.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ApplicationPickerTests : WizardTestContext
{
    private IRenderedComponent<ApplicationPicker> RenderPicker(Action<ApplicationSummary>? picked = null, Guid? ownRotation = null) =>
        Render<ApplicationPicker>(p => p
            .Add(x => x.ConnectionId, Guid.NewGuid())
            .Add(x => x.Selectable, true)
            .Add(x => x.ConfidentialOnly, true)
            .Add(x => x.OwnRotationId, ownRotation)
            .Add(x => x.OnSelected, app => picked?.Invoke(app)));

    [Fact]
    public void While_the_tenant_answers_it_says_so_then_lists_the_confidential_applications()
    {
        Applications.Applications.Add(App("Orders worker", "orders"));
        Applications.Applications.Add(App("Web shop", "shop", authMethod: "none", appType: "spa"));
        Applications.Hold();

        var picker = RenderPicker();

        Assert.NotNull(picker.Find("[data-testid=application-loading]"));
        Assert.Equal("Loading applications…", picker.Find("[data-testid=application-count]").TextContent);
        Assert.Empty(picker.FindAll("[data-testid=application-empty]"));

        Applications.Release();

        picker.WaitForAssertion(() => Assert.Empty(picker.FindAll("[data-testid=application-loading]")));
        Assert.Equal(["Orders worker"], picker.FindAll("[data-testid=application-name]").Select(n => n.TextContent));
        Assert.StartsWith("1 application", picker.Find("[data-testid=application-count]").TextContent);
    }

    [Fact]
    public void A_tenant_without_applications_says_so_and_a_search_without_match_names_the_search()
    {
        var picker = RenderPicker();
        Assert.Equal("This tenant has no other applications.", picker.Find("[data-testid=application-empty]").TextContent);

        Applications.Applications.Add(App("Orders worker", "orders"));
        picker.Find("[data-testid=application-refresh]").Click();
        picker.Find("input[data-testid=application-search]").Input("ledger");

        Assert.Equal("No application matches \"ledger\".", picker.Find("[data-testid=application-empty]").TextContent);
        Assert.StartsWith("0 of 1 applications", picker.Find("[data-testid=application-count]").TextContent);
    }

    [Fact]
    public void An_error_from_the_tenant_is_shown_with_a_way_to_try_again()
    {
        Applications.Failure = "Auth0 refused the request: the connection lacks read:clients.";

        var picker = RenderPicker();

        Assert.Equal(Applications.Failure, picker.Find("[data-testid=application-error]").TextContent);
        Assert.Empty(picker.FindAll("[data-testid=application-grid]"));

        Applications.Failure = null;
        Applications.Applications.Add(App("Orders worker", "orders"));
        picker.Find("[data-testid=application-retry]").Click();

        Assert.Equal(2, Applications.Calls);
        Assert.Equal("Orders worker", picker.Find("[data-testid=application-name]").TextContent);
    }

    [Fact]
    public void An_application_another_rotation_owns_says_by_which_and_cannot_be_picked_while_its_own_can()
    {
        var mine = Guid.NewGuid();
        Applications.Applications.Add(App("Legacy reports old", "legacy-old") with { RotatedBy = new ApplicationOwner(Guid.NewGuid(), "legacy-reports", "staging", "/") });
        Applications.Applications.Add(App("Legacy reports", "legacy") with { RotatedBy = new ApplicationOwner(mine, "this-one", "dev", "/") });
        var picked = new List<string>();
        var picker = RenderPicker(app => picked.Add(app.ClientId), ownRotation: mine);

        var owned = picker.Find("tr[data-client-id=legacy-old]");
        Assert.Equal("Rotated by legacy-reports", owned.QuerySelector("[data-testid=application-rotated-by]")!.TextContent.Trim());
        Assert.True(picker.Find("button[aria-label='Select Legacy reports old']").HasAttribute("disabled"));
        owned.Click();
        Assert.Empty(picked);

        Assert.Equal("This rotation", picker.Find("tr[data-client-id=legacy] [data-testid=application-rotated-by]").TextContent.Trim());
        picker.Find("button[aria-label='Select Legacy reports']").Click();
        Assert.Equal(["legacy"], picked);
        Assert.Equal("true", picker.Find("tr[data-client-id=legacy]").GetAttribute("aria-selected"));
    }

    [Fact]
    public void Twenty_five_applications_are_paged_by_ten_and_sorted_by_name_either_way()
    {
        for (var i = 1; i <= 25; i++) Applications.Applications.Add(App($"App {i:00}", $"client-{i:00}"));

        var picker = RenderPicker();

        Assert.Equal(10, picker.FindAll("[data-testid=application-name]").Count);
        Assert.Equal("App 01", picker.FindAll("[data-testid=application-name]")[0].TextContent);
        picker.FindAll("th button").First(b => b.TextContent.Contains("Name")).Click();
        Assert.Equal("App 25", picker.FindAll("[data-testid=application-name]")[0].TextContent);
        Assert.Equal("descending", picker.FindAll("th").First(th => th.TextContent.Contains("Name")).GetAttribute("aria-sort"));
    }
}
