using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static RotationDashboard.Web.Tests.RotationsUi.RotationPages;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>The dashboard over 10,000 rotations: it pages, sorts and filters in SQL, so every screen stays quick.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RotationScaleBrowserTests(RotationsUiAppFactory app, ITestOutputHelper output) : IClassFixture<RotationsUiAppFactory>
{
    private const int Count = 10_000;

    [Fact]
    public async Task Dashboard_with_ten_thousand_rotations_loads_pages_sorts_and_filters()
    {
        await SeedAsync();
        await using var browser = await BrowserSession.StartAsync(app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var watch = Stopwatch.StartNew();
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/");
        await Assertions.Expect(page.GetByTestId("summary-total-count")).ToHaveTextAsync("10,000");
        await Assertions.Expect(page.Locator("tr[data-rotation]")).ToHaveCountAsync(25);
        output.WriteLine($"sign-in and first page: {watch.ElapsedMilliseconds} ms");
        await Assertions.Expect(page.GetByTestId("summary-failing-count")).ToHaveTextAsync("1,000");
        await Assertions.Expect(page.Locator(".rz-pager-summary")).ToContainTextAsync("Page 1 of 400 (10000 rotations)");
        await Assertions.Expect(page.Locator("tr[data-rotation]").First).ToHaveAttributeAsync("data-rotation", "svc-00000");
        await ScreenshotAsync(page, "dashboard-10000");

        async Task TimedAsync(string what, Func<Task> action)
        {
            var step = Stopwatch.StartNew();
            await action();
            output.WriteLine($"{what}: {step.ElapsedMilliseconds} ms");
            Assert.True(step.ElapsedMilliseconds < 5_000, $"{what} took {step.ElapsedMilliseconds} ms");
        }

        await TimedAsync("last page", async () =>
        {
            await page.Locator(".rz-pager-last").ClickAsync();
            await Assertions.Expect(page.Locator(".rz-pager-summary")).ToContainTextAsync("Page 400 of 400");
            await Assertions.Expect(page.Locator("tr[data-rotation]").Last).ToHaveAttributeAsync("data-rotation", "svc-09999");
        });
        await TimedAsync("sort by next rotation, descending", async () =>
        {
            var header = page.Locator("th", new() { HasText = "Next rotation" });
            await header.ClickAsync();
            await header.ClickAsync();
            await page.Locator(".rz-pager-first").ClickAsync(); // sorting keeps the page
            await Assertions.Expect(page.Locator(".rz-pager-summary")).ToContainTextAsync("Page 1 of 400");
            await Assertions.Expect(page.Locator("tr[data-rotation]").First.GetByTestId("rotation-status")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Rotates in (59|60) days"));
        });
        await TimedAsync("failing only", async () =>
        {
            await page.GetByTestId("summary-failing").ClickAsync();
            await Assertions.Expect(page.Locator(".rz-pager-summary")).ToContainTextAsync("(1000 rotations)");
            await Assertions.Expect(page.Locator("tr[data-rotation] [data-testid=rotation-status][data-status=failed]")).ToHaveCountAsync(25);
        });
        await TimedAsync("search", async () =>
        {
            await page.GetByTestId("rotation-search").FillAsync("svc-0042");
            await Assertions.Expect(page.Locator(".rz-pager-summary")).ToContainTextAsync("(1 rotations)");
        });
    }

    /// <summary>Ten thousand rows in one statement: a tenth failing, a fifth with auto-rotation off, strategies in turn.</summary>
    private async Task SeedAsync()
    {
        var connectionId = await app.SandboxConnectionIdAsync();
        var projectId = await app.DefaultProjectIdAsync();
        await using var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        var environment = await db.Environments.SingleAsync(e => e.ProjectId == projectId && e.Slug == "dev");
        var folder = await db.Folders.SingleAsync(f => f.EnvironmentId == environment.Id && f.Path == "/");
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var day = TimeSpan.TicksPerDay;
        var sql = $$"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {{Count - 1}})
            INSERT INTO rotations (id, name, description, type, strategy, connection_id, project_id, environment_id, folder_id,
                is_auto_rotation_enabled, rotation_interval, active_index, rotation_status, last_rotation_attempted_at, last_rotated_at,
                last_rotation_job_id, next_rotation_at, encrypted_last_rotation_message, is_last_rotation_manual, encrypted_generated_credentials,
                staged_lead_time, retire_grace_period, lease_holder, lease_expires_at, created_at, updated_at, row_version,
                parameters_client_id, rotate_at_utc_hours, rotate_at_utc_minutes, secrets_mapping_client_id, secrets_mapping_client_secret,
                secrets_mapping_key_id, secrets_mapping_private_key)
            SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                printf('svc-%05d', i), 'Service ' || i,
                CASE i % 3 WHEN 2 THEN 'auth0-private-key-jwt' ELSE 'auth0-client-secret' END,
                CASE i % 3 WHEN 0 THEN 'SinglePhase' WHEN 1 THEN 'Staged' ELSE 'PrivateKeyJwt' END,
                '{{connectionId.ToString().ToUpperInvariant()}}', '{{projectId.ToString().ToUpperInvariant()}}',
                '{{environment.Id.ToString().ToUpperInvariant()}}', '{{folder.Id.ToString().ToUpperInvariant()}}',
                CASE WHEN i % 5 = 0 THEN 0 ELSE 1 END, 1 + i % 60, 0,
                CASE WHEN i % 10 = 3 THEN 'failed' ELSE 'success' END, {{now}} - {{day}}, {{now}} - {{day}}, NULL,
                CASE WHEN i % 5 = 0 THEN NULL ELSE {{now}} + (i % 60) * {{day}} + {{day}} / 2 END,
                NULL, 0, NULL, 300, 3600, NULL, NULL, {{now}}, {{now}}, 0,
                'client-' || i, 0, 0, 'ID_' || i,
                CASE WHEN i % 3 = 2 THEN NULL ELSE 'SECRET_' || i END,
                CASE WHEN i % 3 = 2 THEN 'KID_' || i ELSE NULL END,
                CASE WHEN i % 3 = 2 THEN 'KEY_' || i ELSE NULL END
            FROM n;
            """;
        Assert.Equal(Count, await db.Database.ExecuteSqlRawAsync(sql));
    }
}
