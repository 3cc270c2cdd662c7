using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class DeliveryLogTests : NotificationsTestContext
{
    [Fact]
    public void The_log_updates_by_itself_as_the_worker_delivers()
    {
        Notifications.Deliveries = [FakeNotifications.Delivery("ops-webhook", DeliveryStatuses.Pending)];
        var log = Render<DeliveryLog>(p => p
            .Add(l => l.User, SignInAs(DashboardRoles.Admin))
            .Add(l => l.RefreshEvery, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(DeliveryStatuses.Pending, log.Find("[data-testid=delivery]").GetAttribute("data-status"));

        Notifications.Deliveries = [FakeNotifications.Delivery("ops-webhook", DeliveryStatuses.Delivered)];

        log.WaitForAssertion(() => Assert.Equal(DeliveryStatuses.Delivered, log.Find("[data-testid=delivery]").GetAttribute("data-status")));
        Assert.Equal("200", log.Find("[data-testid=delivery-code]").TextContent.Trim());
    }

    [Fact]
    public void An_admin_retries_a_failed_delivery_and_a_viewer_cannot()
    {
        var failed = FakeNotifications.Delivery("ops-webhook", DeliveryStatuses.Failed, attempts: 5);
        Notifications.Deliveries = [failed, FakeNotifications.Delivery("slack-ops", DeliveryStatuses.Delivered)];

        var viewerLog = Render<DeliveryLog>(p => p.Add(l => l.User, SignInAs(DashboardRoles.Viewer)).Add(l => l.IsAdmin, false));
        Assert.Empty(viewerLog.FindAll("[data-testid=retry-delivery]"));

        var adminLog = Render<DeliveryLog>(p => p.Add(l => l.User, SignInAs(DashboardRoles.Admin)).Add(l => l.IsAdmin, true));
        Assert.Single(adminLog.FindAll("[data-testid=retry-delivery]")).Click(); // only the failed one offers it

        adminLog.WaitForAssertion(() => Assert.Equal([$"retry {failed.Id}"], Notifications.Calls));
    }

    [Fact]
    public void A_log_that_cannot_be_read_says_so()
    {
        Notifications.DeliveriesFailure = new InvalidOperationException("database is locked");

        var log = Render<DeliveryLog>(p => p.Add(l => l.User, SignInAs(DashboardRoles.Admin)));

        Assert.Contains("could not be read", log.Find("[data-testid=deliveries-error]").TextContent);
        Assert.Empty(log.FindAll("[data-testid=deliveries-empty]"));
    }
}
