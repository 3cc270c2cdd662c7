using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Components.Rotations.Detail;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.ComponentTests.Rotations.Detail;

/// <summary>The read-only parts of a rotation's page: alerts, status card, configuration, notified line and the durations chart.</summary>
[Trait(TestKind.Trait, TestKind.Component)]
public sealed class RotationSummaryPartsTests : DetailTestContext
{
    [Fact]
    public void A_paused_rotation_says_why_and_how_to_resume()
    {
        var rotation = DetailData.Rotation(status: "failed", message: "Auth0 answered 401", pause: new RotationPause(DetailData.Now, 3));

        var alert = Render<RotationPausedAlert>(p => p.Add(x => x.Rotation, rotation));

        var paused = alert.Find("[data-testid=detail-paused]");
        Assert.Contains("Paused after 3 failed runs: auto-rotation is paused", paused.TextContent);
        Assert.Equal("Auth0 answered 401", paused.QuerySelector("[data-testid=detail-failure]")!.TextContent);
        Assert.Contains("turn Auto-rotation on again to resume", paused.TextContent);
    }

    [Fact]
    public void The_alerts_lead_with_the_most_urgent_and_are_quiet_during_a_run()
    {
        var attention = DetailData.Rotation(status: "failed", message: "Rollback incomplete", needsAttention: true, pause: new RotationPause(DetailData.Now, 3));
        var alerts = Render<RotationDetailAlerts>(p => p.Add(x => x.Rotation, attention));
        Assert.Single(alerts.FindAll("[data-testid=detail-needs-attention]"));
        Assert.Empty(alerts.FindAll("[data-testid=detail-paused]"));

        alerts.Render(p => p.Add(x => x.Rotation, DetailData.Rotation(message: "Rotated; clean-up pending: retire failed")));
        Assert.Equal("Rotated; clean-up pending: retire failed", alerts.Find("[data-testid=detail-warning]").TextContent);

        alerts.Render(p => p.Add(x => x.Rotation, DetailData.Rotation(strategy: RotationStrategy.SinglePhase)));
        Assert.Contains("Switch to the staged strategy", alerts.Find("[data-testid=detail-single-phase]").TextContent);

        alerts.Render(p => p.Add(x => x.Rotation, attention).Add(x => x.RunUnderWay, true));
        Assert.Equal("", alerts.Markup.Trim());
    }

    [Fact]
    public void The_status_card_shows_when_it_rotated_what_is_next_and_the_latest_notification()
    {
        SignInViewer();
        Deliveries.Latest = new DeliveryView(Guid.NewGuid(), NotificationEventTypes.RunSucceeded, "Rotated", null, "#ops", "slack", "delivered", 1, 200, 80, null,
            DetailData.Now, new DateTimeOffset(2026, 3, 10, 10, 4, 0, TimeSpan.Zero), null);

        var card = Render<RotationStatusCard>(p => p.Add(x => x.Rotation, DetailData.Rotation(autoRotation: false)));

        Assert.Equal("on demand only", card.Find("[data-testid=detail-next-rotation]").TextContent.Trim());
        Assert.Equal("2026-03-09 10:00:00", card.Find("[data-testid=detail-last-rotated]").TextContent.Trim());
        Assert.Contains("Notified #ops (slack) at 10:04", card.Find("[data-testid=detail-notified]").TextContent);
        Assert.Equal("Disabled", card.Find("[data-testid=detail-auto-rotation-text]").TextContent);
    }

    [Fact]
    public void No_notified_line_before_anything_was_delivered()
    {
        var line = Render<RotationNotificationStatus>(p => p.Add(x => x.RotationId, Guid.NewGuid()));

        Assert.Empty(line.FindAll("[data-testid=detail-notified]"));
    }

    [Fact]
    public void The_configuration_shows_the_schedule_application_and_mapped_secrets()
    {
        var card = Render<RotationConfiguration>(p => p.Add(x => x.Rotation, DetailData.Rotation(strategy: RotationStrategy.PrivateKeyJwt)));

        Assert.Contains("Every 30 days at 02:30", card.Find("[data-testid=detail-schedule]").TextContent);
        Assert.Equal("Public key", card.Find("[data-testid=detail-key-format]").TextContent.Trim());
        Assert.Equal("Orders API", card.Find("[data-testid=detail-app-name]").TextContent);
        Assert.Equal("secrets?env=prod&path=%2F", card.Find("a").GetAttribute("href"));
        Assert.Equal(["ORDERS_CLIENT_ID", "ORDERS_PRIVATE_KEY", "ORDERS_KEY_ID"], card.FindAll("code").Select(c => c.TextContent));
    }

    [Fact]
    public void The_durations_chart_draws_the_runs_and_says_the_range_in_words()
    {
        Durations.Durations =
        [
            new RunDuration(DetailData.Now.AddDays(-2), TimeSpan.FromSeconds(4), RunStatus.Succeeded),
            new RunDuration(DetailData.Now.AddDays(-1), TimeSpan.FromSeconds(9), RunStatus.Failed),
        ];

        var chart = Render<RunDurationChart>(p => p.Add(x => x.RotationId, Guid.NewGuid()));

        Assert.Equal("2", chart.Find("[data-testid=run-durations]").GetAttribute("data-count"));
        Assert.Equal("Last 2 runs: 4 s to 9 s, latest 9 s (failed).", chart.Find("[data-testid=run-durations-summary]").TextContent);
        Assert.NotNull(chart.Find("[role=img] svg"));
    }

    [Fact]
    public void The_durations_chart_says_when_there_is_nothing_to_draw_or_the_read_failed()
    {
        var empty = Render<RunDurationChart>(p => p.Add(x => x.RotationId, Guid.NewGuid()));
        Assert.Equal("No finished runs yet.", empty.Find("[data-testid=run-durations-empty]").TextContent);

        Durations.Error = new TimeoutException("database is locked");
        var failed = Render<RunDurationChart>(p => p.Add(x => x.RotationId, Guid.NewGuid()));
        Assert.Equal("The run durations could not be read.", failed.Find("[data-testid=run-durations-error]").TextContent);
    }
}
