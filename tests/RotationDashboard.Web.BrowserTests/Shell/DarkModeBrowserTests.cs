using RotationDashboard.Testing;
using Microsoft.Playwright;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Browser;

/// <summary>Dark mode is remembered per user: it survives a reload, and another user keeps their own choice.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class DarkModeBrowserTests(DashboardAppFactory app) : IClassFixture<DashboardAppFactory>
{
    private const string Background = "() => getComputedStyle(document.body).backgroundColor";

    [Fact]
    public async Task Dark_mode_is_remembered_for_the_user_who_chose_it()
    {
        var address = app.StartKestrel();
        await using var adminBrowser = await BrowserSession.StartAsync(address);
        var page = await adminBrowser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin);
        await BrowserSession.WaitForCircuitAsync(page);
        var toggle = page.GetByTestId("theme-toggle");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-mode", "light");
        var light = await page.EvaluateAsync<string>(Background);

        await toggle.ClickAsync();

        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-mode", "dark");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to light mode");
        var dark = await page.EvaluateAsync<string>(Background);
        Assert.NotEqual(light, dark);
        await BrowserSession.ScreenshotAsync(page, "dark-dashboard");

        // The choice is read while the page prerenders: dark from the first paint, before the circuit starts.
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-mode", "dark");
        Assert.Equal(dark, await page.EvaluateAsync<string>(Background));
        await BrowserSession.WaitForCircuitAsync(page);
        await page.GotoAsync("/rotations");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Rotations");
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-mode", "dark");
        await BrowserSession.ScreenshotAsync(page, "dark-rotations");

        // Another user, in another browser, still sees the light theme.
        await using var viewerBrowser = await BrowserSession.StartAsync(address);
        var viewer = await viewerBrowser.NewPageAsync();
        await SandboxSignIn.SignInAsync(viewer, SandboxSignIn.Viewer);
        await BrowserSession.WaitForCircuitAsync(viewer);
        await Assertions.Expect(viewer.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-mode", "light");
        Assert.Equal(light, await viewer.EvaluateAsync<string>(Background));
        await BrowserSession.ScreenshotAsync(viewer, "light-dashboard-viewer");

        // Back to light for the admin: remembered too.
        await page.GetByTestId("theme-toggle").ClickAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-mode", "light");
    }
}
