using RotationDashboard.Testing;
using Microsoft.Playwright;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Browser;

[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class SecretsBrowserTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;

    public SecretsBrowserTests(DashboardAppFactory app) => _app = app;

    [Fact]
    public async Task Admin_creates_reveals_and_finds_the_reveal_in_the_audit_log()
    {
        var address = _app.StartKestrel();
        await using var browser = await BrowserSession.StartAsync(address);
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin, "/secrets");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();

        // A validation error from the server lands on the field and creates nothing.
        await page.GetByTestId("add-secret").ClickAsync();
        await page.GetByTestId("secret-key").FillAsync("BAD:KEY");
        await page.GetByTestId("secret-value").FillAsync("irrelevant");
        await page.GetByTestId("secret-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-key")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "secrets-validation-error");

        const string value = "payments-api-key-4f1e2d3c";
        await page.GetByTestId("secret-key").FillAsync("PAYMENTS_API_KEY");
        await page.GetByTestId("secret-value").FillAsync(value);
        await page.GetByTestId("secret-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("secret-row-PAYMENTS_API_KEY")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(value)).ToHaveCountAsync(0); // masked until revealed
        await BrowserSession.ScreenshotAsync(page, "secrets-list-masked");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" })).ToBeVisibleAsync();
        await page.Mouse.MoveAsync(700, 600); // the toggle's tooltip would cover the page actions
        await BrowserSession.ScreenshotAsync(page, "secrets-list-masked-dark");
        await page.GetByTestId("theme-toggle").ClickAsync();

        await page.GetByTestId("reveal-PAYMENTS_API_KEY").ClickAsync();
        await Assertions.Expect(page.GetByTestId("revealed-PAYMENTS_API_KEY")).ToHaveTextAsync(value);
        await page.GetByTestId("copy-PAYMENTS_API_KEY").ClickAsync();
        await Assertions.Expect(page.GetByText("Copied to the clipboard")).ToBeVisibleAsync();
        Assert.Equal(value, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Hide PAYMENTS_API_KEY" }).ClickAsync();
        await Assertions.Expect(page.GetByText(value)).ToHaveCountAsync(0);

        await page.GetByTestId("history-PAYMENTS_API_KEY").ClickAsync();
        await Assertions.Expect(page.GetByTestId("secret-history")).ToContainTextAsync("CURRENT");
        await BrowserSession.ScreenshotAsync(page, "secrets-history");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
        // The log shows events as soon as it opens, newest first, before any filter is applied.
        await Assertions.Expect(page.GetByTestId("audit-row-action").First).ToBeVisibleAsync();
        await page.GetByTestId("audit-action").FillAsync("secret.reveal");
        await page.GetByTestId("audit-apply").ClickAsync();
        var rows = page.GetByTestId("audit-row-action");
        await Assertions.Expect(rows.First).ToHaveTextAsync("secret.reveal");
        await Assertions.Expect(page.GetByTestId("audit-grid")).ToContainTextAsync("PAYMENTS_API_KEY");
        await Assertions.Expect(page.GetByTestId("audit-grid")).Not.ToContainTextAsync(value);
        await BrowserSession.ScreenshotAsync(page, "audit-log-reveal");
    }

    [Fact]
    public async Task Viewer_sees_masked_values_and_no_write_controls()
    {
        var address = _app.StartKestrel();
        await using var browser = await BrowserSession.StartAsync(address);
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Viewer, "/secrets");
        await BrowserSession.WaitForCircuitAsync(page);

        await Assertions.Expect(page.GetByTestId("add-secret")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("new-folder")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid^='reveal-']")).ToHaveCountAsync(0);
        await BrowserSession.ScreenshotAsync(page, "secrets-viewer");
    }
}
