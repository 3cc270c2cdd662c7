using RotationDashboard.Testing;
using Microsoft.Playwright;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Browser;

[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class ShellBrowserTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;

    public ShellBrowserTests(DashboardAppFactory app) => _app = app;

    [Fact]
    public async Task Dashboard_circuit_is_live_and_navigation_reaches_every_page()
    {
        var address = _app.StartKestrel();
        await using var browser = await BrowserSession.StartAsync(address);
        var page = await browser.NewPageAsync();

        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin);
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("header-user")).ToContainTextAsync("Ada");
        await BrowserSession.ScreenshotAsync(page, "shell-dashboard");

        // An interactive control responds only over a live circuit: collapse the navigation and open it again.
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");

        foreach (var (link, heading) in new[] { ("Connections", "Connections"), ("Audit log", "Audit log"), ("Settings", "Settings"), ("Rotations", "Rotations") })
        {
            await page.Locator(".app-nav").GetByText(link, new() { Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
        }
        await BrowserSession.ScreenshotAsync(page, "shell-rotations");

        await page.GotoAsync("/no-such-page");
        await Assertions.Expect(page.GetByText("Page not found")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "shell-not-found");
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var address = _app.StartKestrel();
        await using var browser = await BrowserSession.StartAsync(address);
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Viewer);
        await Assertions.Expect(page.GetByTestId("header-role")).ToHaveTextAsync("Viewer");

        // The user menu opens over the live circuit.
        await BrowserSession.WaitForCircuitAsync(page);
        await page.GetByTestId("header-user").ClickAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page.GetByText("You are signed out")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "signed-out");

        // The session cookie is gone: the dashboard sends the browser back to the sandbox sign-in page.
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("button.user").First).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "sandbox-sign-in");
    }
}
