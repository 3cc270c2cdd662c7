using MudBlazor;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Settings;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ChannelListTests : NotificationsTestContext
{
    [Fact]
    public void Deleting_a_channel_asks_first_and_keeping_it_deletes_nothing()
    {
        var channel = FakeNotifications.Channel("ops-webhook");
        Notifications.Channels.Add(channel);
        var changed = 0;
        var dialogs = Render<MudDialogProvider>();
        var list = Render<ChannelList>(p => p
            .Add(l => l.Channels, Notifications.Channels.ToList())
            .Add(l => l.IsAdmin, true)
            .Add(l => l.User, SignInAs(DashboardRoles.Admin))
            .Add(l => l.Changed, () => changed++));

        list.Find("[data-testid=delete-channel]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete ops-webhook and its delivery log?", dialogs.Markup));
        dialogs.Button("Keep it").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("its delivery log?", dialogs.Markup));
        Assert.Empty(Notifications.Calls);

        list.Find("[data-testid=delete-channel]").Click();
        dialogs.WaitForAssertion(() => dialogs.Button("Delete").Click());

        list.WaitForAssertion(() => Assert.Equal([$"delete {channel.Id}"], Notifications.Calls));
        Assert.Equal(1, changed);
    }

    [Fact]
    public void The_signing_secret_shows_in_a_dialog_only_when_asked_for()
    {
        Notifications.Channels.Add(FakeNotifications.Channel("ops-webhook"));
        var dialogs = Render<MudDialogProvider>();
        var list = Render<ChannelList>(p => p
            .Add(l => l.Channels, Notifications.Channels.ToList())
            .Add(l => l.IsAdmin, true)
            .Add(l => l.User, SignInAs(DashboardRoles.Admin)));
        Assert.DoesNotContain("whsec-test-value", list.Markup + dialogs.Markup);

        list.Find("[data-testid=show-signing-secret]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("whsec-test-value", dialogs.Find("[data-testid=signing-secret]").TextContent.Trim()));
        Assert.Equal("Copy Signing secret", dialogs.Find("[data-testid=copy-signing-secret]").GetAttribute("aria-label"));
    }

    [Fact]
    public void An_admin_unsubscribes_with_the_chip_s_close_button()
    {
        var subscription = new SubscriptionView(Guid.NewGuid(), NotificationEventTypes.RunFailed, null, null, null);
        Notifications.Channels.Add(FakeNotifications.Channel("ops-webhook", ChannelKinds.Webhook, subscription));
        var list = Render<ChannelList>(p => p
            .Add(l => l.Channels, Notifications.Channels.ToList())
            .Add(l => l.IsAdmin, true)
            .Add(l => l.User, SignInAs(DashboardRoles.Admin)));

        list.Find("[data-testid=subscription] button").Click();

        list.WaitForAssertion(() => Assert.Equal([$"unsubscribe {subscription.Id}"], Notifications.Calls));
    }
}
