using RotationDashboard.Testing;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Rotations.Engine.Steps;

namespace RotationDashboard.Core.Tests.Rotations.Engine.Steps;

[Trait(TestKind.Trait, TestKind.Unit)]
public class StrategyPlanTests
{
    [Fact]
    public void Single_phase_sets_the_secret_in_auth0_verifies_and_maps_it_without_publishing_or_waiting()
    {
        var plan = StrategyPlan.For(RotationStrategy.SinglePhase);

        Assert.Equal([typeof(GenerateStep), typeof(ApplySecretStep), typeof(VerifyStep), typeof(PromoteStep)], plan.Select(p => p.Step.GetType()));
        Assert.All(plan, p => Assert.Null(p.WaitBefore));
    }

    [Fact]
    public void Staged_publishes_next_and_waits_the_lead_time_before_auth0_switches()
    {
        var plan = StrategyPlan.For(RotationStrategy.Staged);

        Assert.Equal(
            [typeof(GenerateStep), typeof(PublishStep), typeof(ApplySecretStep), typeof(VerifyStep), typeof(PromoteStep)],
            plan.Select(p => p.Step.GetType()));
        Assert.Equal([null, null, typeof(LeadTimeWait), null, null], plan.Select(p => p.WaitBefore?.GetType()));
        Assert.True(plan[2].WaitBefore!.RestartsTimeLimit);
    }

    [Fact]
    public void Private_key_jwt_adds_a_key_beside_the_old_one_and_retires_it_after_the_grace_period()
    {
        var plan = StrategyPlan.For(RotationStrategy.PrivateKeyJwt);

        Assert.Equal(
            [typeof(GenerateStep), typeof(PublishStep), typeof(ApplyKeyStep), typeof(VerifyStep), typeof(PromoteStep), typeof(RetireStep)],
            plan.Select(p => p.Step.GetType()));
        Assert.Equal([null, null, null, null, null, typeof(GracePeriodWait)], plan.Select(p => p.WaitBefore?.GetType()));
        Assert.False(plan[5].WaitBefore!.RestartsTimeLimit);
    }

    [Theory]
    [InlineData(RotationStrategy.SinglePhase)]
    [InlineData(RotationStrategy.Staged)]
    [InlineData(RotationStrategy.PrivateKeyJwt)]
    public void The_step_names_are_the_plan_s_in_order_and_only_apply_changes_auth0(RotationStrategy strategy)
    {
        var plan = StrategyPlan.For(strategy);

        Assert.Equal(StrategyPlan.StepsFor(strategy), plan.Select(p => p.Name));
        Assert.Equal(plan.Select(p => p.Name).Order(), plan.Select(p => p.Name));
        Assert.Equal([RunStepName.Apply], plan.Where(p => p.Step.ChangesAuthority).Select(p => p.Name));
        Assert.All(Enum.GetValues<RunStepName>(), name => Assert.Equal(plan.Any(p => p.Name == name), StrategyPlan.Includes(strategy, name)));
    }
}
