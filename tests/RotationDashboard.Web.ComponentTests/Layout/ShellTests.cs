using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Layout;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.ComponentTests.Layout;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ShellTests : ComponentTestContext
{
    [Fact]
    public void The_navigation_links_every_area_by_name()
    {
        var nav = Render<NavMenu>();

        var links = nav.FindAll("a").Select(a => (Text: a.TextContent.Trim(), Href: a.GetAttribute("href"))).ToList();

        Assert.Equal(
            [("Dashboard", ""), ("Rotations", "rotations"), ("Bulk rotation", "rotations/bulk"), ("Connections", "connections"), ("Secrets", "secrets"),
             ("Notifications", "notifications"), ("Audit log", "audit"), ("Settings", "settings")],
            links);
    }

    [Fact]
    public void The_header_shows_the_sandbox_badge_and_the_signed_in_viewer_with_their_role()
    {
        UseHeaderServices(sandbox: true, environmentName: Environments.Production);
        SignIn("Vera Viewer", DashboardRoles.Viewer);

        var header = Render<HeaderStatus>();

        Assert.Contains("Sandbox tenant", header.Find("[data-testid=sandbox-badge]").TextContent);
        Assert.Contains("Vera Viewer", header.Find("[data-testid=header-user]").TextContent);
        Assert.Equal("Viewer", header.Find("[data-testid=header-role]").TextContent.Trim());
        Assert.DoesNotContain("Development", header.Markup);
    }

    [Fact]
    public void The_user_menu_opens_on_the_user_button_and_offers_sign_out_as_a_form_post()
    {
        UseHeaderServices(sandbox: false, environmentName: Environments.Production);
        SignIn("Ada Admin", DashboardRoles.Admin);
        var popovers = RenderPopoverProvider();
        var header = Render<HeaderStatus>();
        Assert.Empty(popovers.FindAll("[data-testid=sign-out]"));

        header.Find("[data-testid=header-user]").Click();

        var signOut = popovers.WaitForElement("[data-testid=sign-out]");
        Assert.Equal("submit", signOut.GetAttribute("type"));
        Assert.Equal("account/signout", signOut.Closest("form")!.GetAttribute("action"));
    }

    [Fact]
    public void The_header_shows_no_user_when_nobody_is_signed_in_and_no_sandbox_badge_without_the_sandbox()
    {
        UseHeaderServices(sandbox: false, environmentName: Environments.Development);

        var header = Render<HeaderStatus>();

        Assert.Empty(header.FindAll("[data-testid=header-user]"));
        Assert.Empty(header.FindAll("[data-testid=sandbox-badge]"));
        Assert.Contains("Development", header.Markup);
    }

    private void UseHeaderServices(bool sandbox, string environmentName)
    {
        Services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environmentName });
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SandboxIntegrationOptions { Enabled = sandbox }));
    }
}
