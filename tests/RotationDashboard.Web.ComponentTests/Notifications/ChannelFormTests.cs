using RotationDashboard.Core.Common;
using RotationDashboard.Testing;
using RotationDashboard.Web.Components.Notifications;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Notifications;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ChannelFormTests : NotificationsTestContext
{
    [Fact]
    public void A_name_typed_then_erased_is_flagged_at_once()
    {
        var form = Render<ChannelForm>(p => p.Add(f => f.User, SignInAs(DashboardRoles.Admin)));
        Assert.DoesNotContain("Enter a name", form.Markup); // untouched

        form.Find("input[data-testid=channel-name]").Input("ops");
        form.Find("input[data-testid=channel-name]").Input("");

        Assert.Contains("Enter a name (at most 128 characters).", form.Markup);
    }

    [Fact]
    public void The_server_s_answer_shows_on_its_field_until_that_field_is_edited()
    {
        Notifications.NextCreateResult = OperationResult<ChannelView>.Invalid("url", "The URL must use https.");
        var form = Render<ChannelForm>(p => p.Add(f => f.User, SignInAs(DashboardRoles.Admin)));
        form.Find("input[data-testid=channel-name]").Input("ops");
        form.Find("input[data-testid=channel-url]").Input("http://example.com/hook");

        form.Find("[data-testid=channel-create]").Click();
        Assert.Contains("The URL must use https.", form.Markup);

        form.Find("input[data-testid=channel-url]").Input("https://example.com/hook");
        form.WaitForAssertion(() => Assert.DoesNotContain("The URL must use https.", form.Markup));
    }

    [Fact]
    public void A_created_channel_is_announced_and_the_form_starts_over()
    {
        ChannelView? created = null;
        var form = Render<ChannelForm>(p => p
            .Add(f => f.User, SignInAs(DashboardRoles.Admin))
            .Add(f => f.Created, (ChannelView c) => created = c));
        form.Find("input[data-testid=channel-name]").Input("ops-webhook");
        form.Find("input[data-testid=channel-url]").Input("https://example.com/hook");
        form.Find("input[data-testid=channel-secret]").Input("signing-secret");

        form.Find("[data-testid=channel-create]").Click();

        form.WaitForAssertion(() => Assert.Equal("ops-webhook", created?.Name));
        Assert.Equal("create webhook ops-webhook", Assert.Single(Notifications.Calls));
        Assert.Equal("", form.Find("input[data-testid=channel-name]").GetAttribute("value") ?? "");
        Assert.Equal("password", form.Find("input[data-testid=channel-secret]").GetAttribute("type"));
    }

    [Fact]
    public void Choosing_e_mail_asks_for_the_smtp_server_instead_of_a_url()
    {
        var popovers = RenderPopoverProvider();
        var form = Render<ChannelForm>(p => p.Add(f => f.User, SignInAs(DashboardRoles.Admin)));

        ChooseOption(popovers, form.Find("[data-testid=channel-kind]"), "E-mail (SMTP)");

        form.WaitForAssertion(() => Assert.NotEmpty(form.FindAll("input[data-testid=channel-smtp-host]")));
        Assert.Empty(form.FindAll("input[data-testid=channel-url]"));
        Assert.NotEmpty(form.FindAll("input[data-testid=channel-to]"));
    }

    internal static void ChooseOption(IRenderedComponent<MudBlazor.MudPopoverProvider> popovers, AngleSharp.Dom.IElement select, string text)
    {
        // MudSelect opens its list on a mouse press on a wrapper of the element that carries the test id.
        var opener = select;
        while (!opener.HasAttribute("blazor:onmousedown")) opener = opener.ParentElement!;
        opener.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll("[role=option]").Single(o => o.TextContent.Trim() == text).Click());
    }
}
