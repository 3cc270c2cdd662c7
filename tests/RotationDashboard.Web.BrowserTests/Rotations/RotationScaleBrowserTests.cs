using RotationDashboard.Testing;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static RotationDashboard.Web.Tests.RotationsUi.RotationPages;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>The dashboard over 10,000 rotations: it pages, sorts and filters in SQL, so every screen stays quick.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class RotationScaleBrowserTests(RotationsUiAppFactory app, ITestOutputHelper output) : IClassFixture<RotationsUiAppFactory>
{
    private const int Count = 10_000;
    private const int RunsPerRotation = 3;

    [Fact]
    public async Task Dashboard_with_ten_thousand_rotations_loads_pages_sorts_and_filters()
    {
        await SeedAsync();
        await using var browser = await BrowserSession.StartAsync(app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var watch = Stopwatch.StartNew();
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/");
        await Assertions.Expect(page.GetByTestId("summary-total-count")).ToHaveTextAsync("10,000");
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(25);
        output.WriteLine($"sign-in and first page: {watch.ElapsedMilliseconds} ms");
        await Assertions.Expect(page.GetByTestId("summary-failing-count")).ToHaveTextAsync("1,000");
        await Assertions.Expect(page.GetByTestId("rotation-page-summary")).ToContainTextAsync("Page 1 of 400 (10000 rotations)");
        await Assertions.Expect(page.Locator("tr [data-rotation]").First).ToHaveAttributeAsync("data-rotation", "svc-00000");
        await Assertions.Expect(page.GetByTestId("runs-per-day-summary")).ToContainTextAsync($"{Count * RunsPerRotation:N0} runs in the last 90 days");
        await Assertions.Expect(page.GetByTestId("upcoming-rotation")).ToHaveCountAsync(5);
        await ScreenshotAsync(page, "dashboard-10000");

        async Task TimedAsync(string what, Func<Task> action)
        {
            var step = Stopwatch.StartNew();
            await action();
            // Printed, not asserted: speed targets live in the benchmarks (Playwright's own 5 s wait bounds each step).
            output.WriteLine($"{what}: {step.ElapsedMilliseconds} ms");
        }

        await TimedAsync("last page", async () =>
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Last page" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("rotation-page-summary")).ToContainTextAsync("Page 400 of 400");
            await Assertions.Expect(page.Locator("tr [data-rotation]").Last).ToHaveAttributeAsync("data-rotation", "svc-09999");
        });
        await TimedAsync("sort by next rotation, descending", async () =>
        {
            var header = page.GetByRole(AriaRole.Columnheader, new() { Name = "Next rotation" }).GetByText("Next rotation");
            await header.ClickAsync();
            await header.ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "First page" }).ClickAsync(); // sorting keeps the page
            await Assertions.Expect(page.GetByTestId("rotation-page-summary")).ToContainTextAsync("Page 1 of 400");
            await Assertions.Expect(page.Locator("tr:has([data-rotation])").First.GetByTestId("rotation-status")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Rotates in (59|60) days"));
        });
        await TimedAsync("failing only", async () =>
        {
            await page.GetByTestId("summary-failing").ClickAsync();
            await Assertions.Expect(page.GetByTestId("rotation-page-summary")).ToContainTextAsync("(1000 rotations)");
            await Assertions.Expect(page.Locator("tr:has([data-rotation]) [data-testid=rotation-status][data-status=failed]")).ToHaveCountAsync(25);
        });
        await TimedAsync("search", async () =>
        {
            await page.GetByTestId("rotation-search").FillAsync("svc-0042");
            await Assertions.Expect(page.GetByTestId("rotation-page-summary")).ToContainTextAsync("(1 rotation)");
        });
    }

    /// <summary>Ten thousand rows in one statement (a tenth failing, a fifth with auto-rotation off, strategies in turn), and three runs each.</summary>
    private async Task SeedAsync()
    {
        var connectionId = await app.SandboxConnectionIdAsync();
        var projectId = await app.DefaultProjectIdAsync();
        await using var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        Assert.Equal(Count, await RotationSeeding.InsertRotationsAsync(db, connectionId, projectId, Count));
        Assert.Equal(Count * RunsPerRotation, await RotationSeeding.InsertRunsAsync(db, RunsPerRotation, days: 89));
    }
}
