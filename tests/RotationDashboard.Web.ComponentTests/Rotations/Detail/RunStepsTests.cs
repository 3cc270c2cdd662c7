using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RunStepsTests : DetailTestContext
{
    [Fact]
    public void Steps_show_in_order_with_their_state_and_a_failure_message()
    {
        var run = DetailData.Run(Guid.NewGuid(), RunStatus.Failed, succeededSteps: 2);

        var steps = Render<RunSteps>(p => p.Add(x => x.Steps, run.Steps).Add(x => x.Strategy, run.Strategy));

        var items = steps.FindAll("[data-testid=run-step]");
        Assert.Equal(run.Steps.OrderBy(s => s.Order).Select(s => s.Name.ToString()), items.Select(i => i.GetAttribute("data-step")));
        Assert.Equal(["Succeeded", "Succeeded", "Failed"], items.Take(3).Select(i => i.GetAttribute("data-status")));
        Assert.Equal("Auth0 answered 503", steps.Find("[data-testid=run-step-message]").TextContent);
    }

    [Fact]
    public void A_running_step_shows_a_labelled_progress_indicator_and_planned_steps_are_all_pending()
    {
        var running = DetailData.Run(Guid.NewGuid(), succeededSteps: 1);
        var steps = Render<RunSteps>(p => p.Add(x => x.Steps, running.Steps).Add(x => x.Strategy, running.Strategy));
        Assert.Single(steps.FindAll("[data-status=Running] [aria-label=running]"));

        var planned = RunSteps.Planned(RotationStrategy.SinglePhase);
        steps.Render(p => p.Add(x => x.Steps, planned).Add(x => x.Strategy, RotationStrategy.SinglePhase));

        Assert.All(steps.FindAll("[data-testid=run-step]"), s => Assert.Equal(nameof(RunStepStatus.Pending), s.GetAttribute("data-status")));
        Assert.Equal(planned.Count, steps.FindAll("[data-testid=run-step]").Count);
    }
}
