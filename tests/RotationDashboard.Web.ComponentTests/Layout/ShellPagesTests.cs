using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Testing;
using RotationDashboard.Web.ComponentTests.Infrastructure;
using RotationDashboard.Web.Components.Shell;

namespace RotationDashboard.Web.ComponentTests.Layout;

[Trait(TestKind.Trait, TestKind.Component)]
public sealed class ShellPagesTests : ComponentTestContext
{
    [Fact]
    public void Signed_out_offers_to_sign_in_again()
    {
        var page = Render<SignedOut>();

        Assert.Contains("You are signed out", page.Find("h2").TextContent);
        Assert.Equal("account/signin", page.Find("[data-testid=sign-in-again]").GetAttribute("href"));
    }

    [Fact]
    public void Access_denied_explains_the_reason_without_showing_its_code()
    {
        Services.GetRequiredService<Bunit.TestDoubles.BunitNavigationManager>().NavigateTo("account/access-denied?reason=not-invited");

        var page = Render<AccessDenied>();

        Assert.Contains("Access denied", page.Find("h2").TextContent);
        Assert.Equal("Your account is not allowed to use this dashboard. Ask an admin to add you.", page.Find("[data-testid=access-denied-reason]").TextContent);
        Assert.Equal("", page.Find("a").GetAttribute("href"));
    }

    [Fact]
    public void The_error_page_says_the_error_was_logged_and_links_back()
    {
        var page = Render<Error>();

        Assert.Contains("Something went wrong", page.Find("h2").TextContent);
        Assert.Contains("logged on the server", page.Markup);
    }

    [Fact]
    public void The_not_found_page_shows_the_not_found_content()
    {
        Assert.Contains("Page not found", Render<NotFound>().Markup);
    }
}
