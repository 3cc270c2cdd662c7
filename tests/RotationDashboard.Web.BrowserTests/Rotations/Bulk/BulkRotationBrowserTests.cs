using Microsoft.Playwright;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Tests.Infrastructure;
using RotationDashboard.Web.Tests.RotationsUi;
using static RotationDashboard.Web.Tests.Infrastructure.BrowserSession;

namespace RotationDashboard.Web.Tests.Rotations.Bulk;

/// <summary>An incident in Chromium: Ada rotates every rotation of the sandbox connection, confirms by typing its name, and watches it to the summary.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class BulkRotationBrowserTests(RotationsUiAppFactory app) : IClassFixture<RotationsUiAppFactory>
{
    [Fact]
    public async Task Admin_rotates_every_rotation_of_a_connection_after_typing_its_name_and_watches_it_to_the_summary()
    {
        foreach (var name in new[] { "incident-a", "incident-b", "incident-c" })
        {
            await app.CreateRotationAsync(name, app.NewApplication(name), RotationStrategy.SinglePhase, autoRotation: false);
        }

        await using var browser = await BrowserSession.StartAsync(app.Address);
        var page = await browser.NewPageAsync();
        await SandboxSignIn.SignInAsync(page, SandboxSignIn.Admin, "/rotations/bulk");
        await WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Bulk rotation");
        await Assertions.Expect(page.GetByTestId("bulk-preview")).ToContainTextAsync("3 rotation(s) of connection " + SandboxConnections.DefaultConnectionName);
        await ScreenshotAsync(page, "bulk-rotation-choose");

        await page.GetByTestId("start-bulk").ClickAsync();
        var dialog = page.GetByTestId("confirm-bulk-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        var confirm = page.GetByTestId("confirm-bulk");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        var input = dialog.GetByLabel($"Type the connection name \"{SandboxConnections.DefaultConnectionName}\" to confirm");
        await input.FillAsync("sandbox");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await input.FillAsync(SandboxConnections.DefaultConnectionName);
        await Assertions.Expect(confirm).ToBeEnabledAsync();
        await ScreenshotAsync(page, "bulk-rotation-confirm");
        await confirm.ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/rotations/bulk/", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByTestId("bulk-progress")).ToBeVisibleAsync();
        var summary = page.GetByTestId("bulk-summary");
        await Assertions.Expect(summary).ToContainTextAsync("all 3 succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("bulk-counts")).ToContainTextAsync("3 of 3 done");
        await Assertions.Expect(page.Locator("tr[data-state='succeeded']")).ToHaveCountAsync(3);
        await ScreenshotAsync(page, "bulk-rotation-summary");

        // The summary is kept: the list on the bulk page links to it.
        await page.GotoAsync("/rotations/bulk");
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("bulk-recent")).ToContainTextAsync("3 succeeded, 0 failed of 3");
    }
}
