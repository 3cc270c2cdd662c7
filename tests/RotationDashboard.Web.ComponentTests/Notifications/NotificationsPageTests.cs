using RotationDashboard.Core.Notifications;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class NotificationsPageTests : NotificationsTestContext
{
    [Fact]
    public void An_admin_without_channels_gets_the_form_and_the_empty_state()
    {
        SignInAs(DashboardRoles.Admin);

        var page = Render<NotificationsPage>();

        Assert.NotNull(page.Find("[data-testid=channel-form]"));
        Assert.Contains("No channels yet", page.Find("[data-testid=empty-state]").TextContent);
        Assert.Contains("Nothing sent yet.", page.Find("[data-testid=deliveries-empty]").TextContent);
    }

    [Fact]
    public void Subscription_chips_name_the_project_and_the_rotation_instead_of_id_prefixes()
    {
        SignInAs(DashboardRoles.Admin);
        var project = Projects.Add("Default project");
        var rotation = Rotations.Add(project.Id, "invoice-sender");
        Notifications.Channels.Add(FakeNotifications.Channel("slack-ops", ChannelKinds.Slack,
            new SubscriptionView(Guid.NewGuid(), NotificationEventTypes.RunFailed, project.Id, "prod", rotation.Id)));

        var page = Render<NotificationsPage>();

        var chip = page.Find("[data-testid=subscription]").TextContent;
        Assert.Contains("project Default project, environment prod, rotation invoice-sender", chip);
        Assert.DoesNotContain(rotation.Id.ToString()[..8], chip);
        Assert.DoesNotContain(project.Id.ToString()[..8], chip);
    }

    [Fact]
    public void A_viewer_sees_channels_and_deliveries_but_nothing_that_changes_them()
    {
        SignInAs(DashboardRoles.Viewer);
        Notifications.Channels.Add(FakeNotifications.Channel("ops-webhook", ChannelKinds.Webhook,
            new SubscriptionView(Guid.NewGuid(), NotificationEventTypes.RunFailed, null, null, null)));
        Notifications.Deliveries = [FakeNotifications.Delivery("ops-webhook", DeliveryStatuses.Failed)];

        var page = Render<NotificationsPage>();

        Assert.Contains("Only an Admin can change channels and subscriptions.", page.Find("[data-testid=notifications-viewer]").TextContent);
        Assert.Contains("Run failed (all)", page.Find("[data-testid=subscription]").TextContent);
        Assert.NotNull(page.Find("[data-testid=delivery]"));
        foreach (var control in new[] { "channel-form", "subscribe", "send-test", "delete-channel", "retry-delivery", "show-signing-secret" })
        {
            Assert.Empty(page.FindAll($"[data-testid={control}]"));
        }

        Assert.Empty(page.FindAll("[data-testid=subscription] button"));
    }
}
