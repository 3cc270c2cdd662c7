using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations.Detail;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class LiveRunPanelTests : DetailTestContext
{
    [Fact]
    public void A_run_under_way_has_no_outcome_and_cannot_be_dismissed()
    {
        var panel = Render<LiveRunPanel>(p => p.Add(x => x.Run, DetailData.Run(Guid.NewGuid(), succeededSteps: 2)));

        Assert.Contains("Rotating now", panel.Find("h2").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=live-run-result]"));
        Assert.Empty(panel.FindAll("[data-testid=dismiss-run]"));
    }

    [Fact]
    public void A_finished_run_says_how_it_ended_and_its_close_button_dismisses_it()
    {
        var dismissed = false;
        var run = DetailData.Run(Guid.NewGuid(), RunStatus.RolledBack, succeededSteps: 2, message: "Verify failed; the previous secret is back.");

        var panel = Render<LiveRunPanel>(p => p.Add(x => x.Run, run).Add(x => x.OnDismiss, () => dismissed = true));

        Assert.Equal("RolledBack", panel.Find("[data-testid=live-run]").GetAttribute("data-status"));
        Assert.Equal("Verify failed; the previous secret is back.", panel.Find("[data-testid=live-run-result]").TextContent.Trim());
        var close = panel.Find("[data-testid=dismiss-run]");
        Assert.Equal("Dismiss", close.GetAttribute("aria-label"));
        close.Click();
        Assert.True(dismissed);
    }
}
