using RotationDashboard.Testing;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Connections;

/// <summary>The Connections page in Chromium, signed in as Ada, against the in-app sandbox.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class ConnectionsBrowserTests : IClassFixture<DashboardAppFactory>
{
    private readonly DashboardAppFactory _app;

    public ConnectionsBrowserTests(DashboardAppFactory app) => _app = app;

    [Fact]
    public async Task Admin_creates_tests_and_browses_a_sandbox_connection_then_deletes_it()
    {
        // An M2M app with the client-secret scopes only, so the test result has something to say.
        var m2m = _app.Get<SandboxTenant>().CreateManagementClient("Browser test M2M", ["read:clients", "update:client_keys"]);
        await using var browser = await BrowserSession.StartAsync(_app.Address);
        var page = await browser.NewPageAsync();

        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin, "/connections");
        await BrowserSession.WaitForCircuitAsync(page);
        var sandboxRow = Row(page, SandboxConnections.DefaultConnectionName);
        await Assertions.Expect(sandboxRow).ToBeVisibleAsync();
        await Assertions.Expect(sandboxRow.GetByTestId("sandbox-connection-badge")).ToBeVisibleAsync();
        await sandboxRow.GetByTestId("test-connection-row").ClickAsync();
        await Assertions.Expect(sandboxRow.GetByTestId("connection-status-badge")).ToHaveTextAsync("Connected");
        await Assertions.Expect(page.GetByTestId("page-message")).ToContainTextAsync("Connected.");

        // New connection: nothing typed yet gives field errors and saves nothing.
        await page.GetByTestId("new-connection").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("New connection");
        await page.GetByTestId("save-connection").ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-error")).ToContainTextAsync("Nothing was saved");
        await Assertions.Expect(page.GetByTestId("field-error").First).ToBeVisibleAsync();
        await ScreenshotAsync(page, "connection-form-errors");

        await FillAsync(page, "field-name", "browser-sandbox");
        await page.GetByRole(AriaRole.Switch, new() { Name = "Built-in sandbox tenant" }).CheckAsync();
        await Assertions.Expect(page.GetByTestId("field-domain")).ToHaveValueAsync(new Regex("/sandbox-tenant$"));
        await FillAsync(page, "field-client-id", m2m.ClientId);
        await FillAsync(page, "field-client-secret", "not-the-right-secret-000000000000");
        await page.GetByTestId("test-connection").ClickAsync();
        var result = page.GetByTestId("test-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-ok", "false");
        await Assertions.Expect(result).ToContainTextAsync("Auth0 rejected the client ID or secret (401");
        // Saving asks Auth0 too: refused on the secret field, nothing saved.
        await page.GetByTestId("save-connection").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error").Filter(new() { HasText = "Not saved: Auth0 rejected the client ID or secret" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("New connection");
        await ScreenshotAsync(page, "connection-form-refused-by-auth0");

        await FillAsync(page, "field-client-secret", m2m.ClientSecret!);
        await page.GetByTestId("test-connection").ClickAsync();
        await Assertions.Expect(result).ToHaveAttributeAsync("data-ok", "true");
        await Assertions.Expect(result).ToContainTextAsync("create:client_credentials");
        await Assertions.Expect(page.GetByTestId("field-error")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "connection-form-test-result");

        await page.GetByTestId("save-connection").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Connections");
        var row = Row(page, "browser-sandbox");
        await Assertions.Expect(row.GetByTestId("connection-status-badge")).ToHaveTextAsync("Missing scopes");
        await Assertions.Expect(row.GetByTestId("missing-scopes")).ToContainTextAsync("Private Key JWT");
        await Assertions.Expect(row.GetByTestId("sandbox-connection-badge")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "connections-list");

        // Its applications: the tenant's apps, without its own client, searchable.
        await row.GetByTestId("show-applications").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Applications");
        var picker = page.GetByTestId("application-picker");
        await Assertions.Expect(picker.Locator($"tr[data-client-id='{SandboxSeed.PaymentsWorkerClientId}']")).ToBeVisibleAsync();
        await Assertions.Expect(picker.Locator($"tr[data-client-id='{m2m.ClientId}']")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "connection-applications");
        await page.GetByTestId("application-search").FillAsync("ledger");
        await Assertions.Expect(picker.Locator("tr[data-client-id]")).ToHaveCountAsync(1);
        await Assertions.Expect(picker.GetByTestId("application-name")).ToHaveTextAsync("Ledger sync");
        await Assertions.Expect(picker.GetByTestId("application-count")).ToContainTextAsync("1 of");
        await ScreenshotAsync(page, "connection-applications-search");

        // Delete, after confirming.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to connections" }).ClickAsync();
        await row.GetByTestId("delete-connection").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Delete the connection \"browser-sandbox\"?");
        await ScreenshotAsync(page, "connection-delete-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("page-message")).ToContainTextAsync("was deleted");
        await Assertions.Expect(row).ToHaveCountAsync(0);
    }

    /// <summary>A settled page: animations finished, tall enough for the whole form (snackbars sit bottom left, clear of it).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
        var height = await page.EvaluateAsync<int>("() => Math.max(900, document.querySelector('.app-main')?.scrollHeight + 120 || 0)");
        await page.SetViewportSizeAsync(1400, height);
        await BrowserSession.ScreenshotAsync(page, name);
        await page.SetViewportSizeAsync(1400, 900);
    }

    // The form checks fields as they are typed: filling is enough, no change event needed.
    private static Task FillAsync(IPage page, string testId, string value) => page.GetByTestId(testId).FillAsync(value);

    /// <summary>A connection's row in the list, by its name.</summary>
    private static ILocator Row(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByTestId("connection-name").GetByText(name, new() { Exact = true }) });
}
