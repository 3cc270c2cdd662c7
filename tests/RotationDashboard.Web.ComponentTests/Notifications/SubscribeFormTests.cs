using RotationDashboard.Core.Notifications;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class SubscribeFormTests : NotificationsTestContext
{
    [Fact]
    public void The_rotation_picker_appears_with_a_project_and_searches_that_project_as_the_admin_types()
    {
        var project = Projects.Add("Default project");
        var other = Projects.Add("Other project");
        Rotations.Add(project.Id, "payments-api");
        var invoices = Rotations.Add(project.Id, "invoice-sender");
        Rotations.Add(other.Id, "invoice-archiver");
        var channel = FakeNotifications.Channel("slack-ops");
        Notifications.Channels.Add(channel);
        var subscribed = 0;
        var popovers = RenderPopoverProvider();
        var form = Render<SubscribeForm>(p => p
            .Add(f => f.ChannelId, channel.Id)
            .Add(f => f.Projects, Projects.Projects)
            .Add(f => f.User, SignInAs(DashboardRoles.Admin))
            .Add(f => f.Subscribed, () => subscribed++));
        Assert.Empty(form.FindAll("input[data-testid=subscribe-rotation]")); // no project, no rotation to pick

        ChannelFormTests.ChooseOption(popovers, form.Find("[data-testid=subscribe-project]"), "Default project");
        form.WaitForElement("input[data-testid=subscribe-rotation]").Input("inv");

        popovers.WaitForAssertion(() => Assert.Equal(["invoice-sender (prod)"],
            popovers.FindAll("[role=option]").Select(o => o.TextContent.Trim()).ToArray()));
        Assert.Contains((project.Id, "inv"), Rotations.Searches);
        Assert.DoesNotContain(Rotations.Searches, s => s.ProjectId == other.Id);

        popovers.FindAll("[role=option]").Single().Click();
        form.Find("[data-testid=subscribe]").Click();

        form.WaitForAssertion(() => Assert.Equal(1, subscribed));
        Assert.Equal($"subscribe {NotificationEventTypes.RunFailed} {project.Id}  {invoices.Id}", Assert.Single(Notifications.Calls));
    }

    [Fact]
    public void Without_a_project_the_subscription_covers_every_rotation()
    {
        var channel = FakeNotifications.Channel("ops-webhook");
        Notifications.Channels.Add(channel);
        var form = Render<SubscribeForm>(p => p
            .Add(f => f.ChannelId, channel.Id)
            .Add(f => f.User, SignInAs(DashboardRoles.Admin)));

        form.Find("input[data-testid=subscribe-environment]").Input("prod");
        form.Find("[data-testid=subscribe]").Click();

        form.WaitForAssertion(() => Assert.Equal($"subscribe {NotificationEventTypes.RunFailed}  prod ", Assert.Single(Notifications.Calls)));
    }
}
