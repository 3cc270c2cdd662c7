using RotationDashboard.Testing;
using Microsoft.Playwright;
using RotationDashboard.Web.Tests.Infrastructure;
using RotationDashboard.Web.Tests.RotationsUi;

namespace RotationDashboard.Web.Tests.Browser;

[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class SettingsBrowserTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;

    public SettingsBrowserTests(DashboardAppFactory app) => _app = app;

    [Fact]
    public async Task Admin_creates_a_token_sees_it_once_uses_it_and_revokes_it()
    {
        var address = _app.StartKestrel();
        await using var browser = await BrowserSession.StartAsync(address);
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin, "/settings");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();

        await page.GetByTestId("create-token").ClickAsync();
        await page.GetByTestId("token-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-name")).ToBeVisibleAsync();

        await page.GetByTestId("token-name").FillAsync("payments-service");
        await page.ChooseAsync(page.GetByTestId("token-expiry"), "never");
        await Assertions.Expect(page.GetByTestId("token-never-warning")).ToContainTextAsync("stays valid until someone revokes it");
        await Assertions.Expect(page.GetByTestId("field-error-name")).ToHaveCountAsync(0); // cleared once a name was typed
        await BrowserSession.ScreenshotAsync(page, "settings-token-never-warning");
        await page.ChooseAsync(page.GetByTestId("token-expiry"), "in 90 days");
        await Assertions.Expect(page.GetByTestId("token-never-warning")).ToHaveCountAsync(0);
        await page.GetByTestId("token-save").ClickAsync();
        var value = (await page.GetByTestId("issued-token").InnerTextAsync()).Trim();
        Assert.StartsWith("rdt_", value);
        // Even a throwaway token stays out of pictures: blurred, the dialog still shows how it looks.
        await page.GetByTestId("issued-token").EvaluateAsync("e => e.style.filter = 'blur(6px)'");
        await BrowserSession.ScreenshotAsync(page, "settings-token-created");
        await page.GetByTestId("token-done").ClickAsync();

        await Assertions.Expect(page.GetByTestId("token-row-payments-service")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(value)).ToHaveCountAsync(0); // shown once only

        using var api = new HttpClient { BaseAddress = address };
        api.DefaultRequestHeaders.Authorization = new("Bearer", value);
        Assert.True((await api.GetAsync("api/v1/projects")).IsSuccessStatusCode);

        await page.GetByTestId("revoke-payments-service").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Anything using it stops working at once.");
        await BrowserSession.ScreenshotAsync(page, "settings-token-revoke-confirm");
        await page.DialogButton("Revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tokens-grid")).ToContainTextAsync("revoked");
        await BrowserSession.ScreenshotAsync(page, "settings-token-revoked");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await page.Mouse.MoveAsync(700, 800); // no tooltip over the page actions
        await BrowserSession.ScreenshotAsync(page, "settings-token-revoked-dark");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.GetAsync("api/v1/projects")).StatusCode);
    }
}
