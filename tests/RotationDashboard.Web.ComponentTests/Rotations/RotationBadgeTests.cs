using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Rotations;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationBadgeTests : RotationListTestContext
{
    [Fact]
    public void A_failed_rotation_shows_its_reason_and_the_next_attempt_in_the_tooltip()
    {
        var badge = Render<RotationStatusBadge>(p => p
            .Add(b => b.RotationStatus, "failed").Add(b => b.IsAutoRotationEnabled, true)
            .Add(b => b.NextRotationAt, Now.AddHours(2)).Add(b => b.Message, "Auth0 said 403").Add(b => b.ShowReason, true));

        var status = badge.Find("[data-testid=rotation-status]");
        Assert.Equal("failed", status.GetAttribute("data-status"));
        Assert.Contains("Rotation failed", status.TextContent);
        Assert.Equal("Auth0 said 403", badge.Find("[data-testid=rotation-failure-reason]").TextContent);
        Assert.Contains("Next rotation attempt: 2026-12-05 14:00", status.GetAttribute("title"));
    }

    [Theory]
    [InlineData(true, null, true, 3, "rotating", "Rotating")]
    [InlineData(false, "success", true, 3, "due-soon", "Rotates in 3 days")]
    [InlineData(false, "success", true, 20, "scheduled", "Rotates in 20 days")]
    [InlineData(false, "success", false, 3, "disabled", "Auto-rotation disabled")]
    public void The_status_badge_names_each_state(bool rotating, string? status, bool auto, int days, string kind, string text)
    {
        var badge = Render<RotationStatusBadge>(p => p
            .Add(b => b.IsRotating, rotating).Add(b => b.RotationStatus, status).Add(b => b.IsAutoRotationEnabled, auto)
            .Add(b => b.NextRotationAt, Now.AddDays(days)));

        Assert.Equal(kind, badge.Find("[data-testid=rotation-status]").GetAttribute("data-status"));
        Assert.Contains(text, badge.Find("[data-testid=rotation-status]").TextContent);
        Assert.Empty(badge.FindAll("[data-testid=rotation-failure-reason]"));
    }

    [Theory]
    [InlineData(RotationStrategy.SinglePhase, "Single-phase")]
    [InlineData(RotationStrategy.PrivateKeyJwt, "Private Key JWT")]
    public void The_strategy_badge_names_the_strategy_and_says_whether_it_interrupts_service(RotationStrategy strategy, string label)
    {
        var badge = Render<StrategyBadge>(p => p.Add(b => b.Strategy, strategy));

        Assert.Contains(label, badge.Find("[data-testid=strategy-badge]").TextContent);
        Assert.Equal(RotationText.Downtime(strategy), badge.Find("[data-testid=strategy-badge]").GetAttribute("title"));
    }

    [Fact]
    public void The_warning_badge_shows_needs_attention_or_clean_up_pending_and_nothing_otherwise()
    {
        var attention = Render<RotationWarningBadge>(p => p.Add(b => b.NeedsAttention, true).Add(b => b.Message, "Rollback incomplete"));
        Assert.Contains("Needs attention", attention.Find("[data-testid=rotation-needs-attention]").TextContent);
        Assert.Equal("Rollback incomplete", attention.Find("[data-testid=rotation-needs-attention]").GetAttribute("title"));

        var cleanup = Render<RotationWarningBadge>(p => p.Add(b => b.RotationStatus, "success").Add(b => b.Message, "Old key still in Auth0"));
        Assert.Contains("Clean-up pending", cleanup.Find("[data-testid=rotation-cleanup-pending]").TextContent);

        var none = Render<RotationWarningBadge>(p => p.Add(b => b.RotationStatus, "success"));
        Assert.Equal("", none.Markup.Trim());
    }

    [Fact]
    public void The_paused_badge_counts_the_failures_and_says_how_to_resume()
    {
        var badge = Render<RotationPausedBadge>(p => p.Add(b => b.Pause, new RotationPause(Now.AddHours(-1), 5)));

        var paused = badge.Find("[data-testid=rotation-paused]");
        Assert.Equal("5", paused.GetAttribute("data-failures"));
        Assert.Contains("Turn auto-rotation on to resume", paused.GetAttribute("title"));
        Assert.Equal("", Render<RotationPausedBadge>().Markup.Trim());
    }
}
