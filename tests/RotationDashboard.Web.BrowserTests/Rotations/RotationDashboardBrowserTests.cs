using RotationDashboard.Testing;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Infrastructure;
using static RotationDashboard.Web.Tests.RotationsUi.RotationPages;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>
/// The status dashboard and the rotation page in Chromium: states, live updates when runs start and finish elsewhere
/// (the scheduler, the API or another admin: here the service on the app's own host), a failure from sandbox fault
/// injection, filters, delete, and what a Viewer may not do.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class RotationDashboardBrowserTests : IClassFixture<RotationsUiAppFactory>
{
    private readonly RotationsUiAppFactory _app;

    public RotationDashboardBrowserTests(RotationsUiAppFactory app) => _app = app;

    [Fact]
    public async Task Dashboard_shows_each_state_updates_live_and_shows_a_failure_with_its_reason()
    {
        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/");
        if (await _app.Rotations.GetSummaryAsync() is { Total: 0 })
        {
            await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("No rotations yet");
            await Assertions.Expect(page.GetByTestId("create-rotation")).ToBeVisibleAsync();
            await ScreenshotAsync(page, "dashboard-empty");
        }

        var billing = await _app.CreateRotationAsync("billing-service", SandboxSeed.BillingServiceClientId, RotationStrategy.Staged);
        var reports = await _app.CreateRotationAsync("reporting-job", SandboxSeed.ReportingJobClientId, RotationStrategy.SinglePhase, interval: 3);
        var portal = await _app.CreateRotationAsync("customer-portal", SandboxSeed.CustomerPortalClientId, RotationStrategy.Staged, autoRotation: false);
        var ledger = await _app.CreateRotationAsync("ledger-sync", SandboxSeed.LedgerSyncClientId, RotationStrategy.PrivateKeyJwt, interval: 90);

        // The empty dashboard noticed the first rotation by itself; the cards count what the service counts (other
        // tests of this class may have added rotations of their own).
        var summary = await _app.Rotations.GetSummaryAsync();
        Assert.True(summary is { SinglePhaseWithAutoRotation: >= 1, DueWithin7Days: >= 1, AutoRotationDisabled: >= 1 }, summary.ToString());
        await Assertions.Expect(page.GetByTestId("summary-total-count")).ToHaveTextAsync(summary.Total.ToString(), new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByTestId("summary-risky-count")).ToHaveTextAsync(summary.SinglePhaseWithAutoRotation.ToString());
        await Assertions.Expect(page.GetByTestId("summary-due-count")).ToHaveTextAsync(summary.DueWithin7Days.ToString());
        await Assertions.Expect(page.GetByTestId("summary-auto-off-count")).ToHaveTextAsync(summary.AutoRotationDisabled.ToString());
        await Assertions.Expect(page.GetByTestId("summary-failing-count")).ToHaveTextAsync(summary.Failing.ToString());
        await Assertions.Expect(Row(page, "billing-service").GetByTestId("rotation-status")).ToHaveAttributeAsync("data-status", "scheduled");
        await Assertions.Expect(Row(page, "reporting-job").GetByTestId("rotation-status")).ToHaveAttributeAsync("data-status", "due-soon");
        await Assertions.Expect(Row(page, "reporting-job").GetByTestId("rotation-app-name")).ToHaveTextAsync("Reporting job");
        // Due at the next 03:00 UTC three days on: 3 or 4 days away, depending on the time of day the test runs.
        await Assertions.Expect(Row(page, "reporting-job").GetByTestId("rotation-status")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Rotates in [34] days"));
        await Assertions.Expect(Row(page, "customer-portal").GetByTestId("rotation-status")).ToContainTextAsync("Auto-rotation disabled");
        var next = Row(page, "billing-service").GetByTestId("next-rotation").Locator("span");
        await Assertions.Expect(next).ToHaveAttributeAsync("title", new Regex("UTC$"));
        Assert.Equal(billing.NextRotationAt!.Value.ToOffset(TimeSpan.FromMinutes(330)).ToString("yyyy-MM-dd HH:mm"), await next.InnerTextAsync());

        // A run started elsewhere (another admin, through the service of the same app): "Rotating", then done.
        _app.Sandbox.SetFaults(new SandboxFaults { Latency = TimeSpan.FromMilliseconds(400), Targets = SandboxFaultTargets.Management });
        var started = await _app.RotateNow.ExecuteAsync(portal.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: false);
        Assert.True(started.Succeeded, started.ToString());
        await Assertions.Expect(Row(page, "customer-portal").GetByTestId("rotation-status")).ToHaveAttributeAsync("data-status", "rotating");
        await ScreenshotAsync(page, "dashboard-rotating");
        _app.Sandbox.ClearFaults();
        await Assertions.Expect(Row(page, "customer-portal").GetByTestId("rotation-status")).ToHaveAttributeAsync("data-status", "disabled", new() { Timeout = 15_000 });

        // A run that fails in Auth0 (fault injection): red badge with the reason, without a reload.
        _app.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 500, Times: 100));
        var failed = await _app.RotateNow.ExecuteAsync(billing.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: true);
        _app.Sandbox.ClearFaults();
        Assert.Equal("failed", failed.Value.Rotation.RotationStatus);
        var badge = Row(page, "billing-service").GetByTestId("rotation-status");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 10_000 });
        await Assertions.Expect(badge).ToContainTextAsync("Rotation failed");
        await Assertions.Expect(badge).ToHaveAttributeAsync("title", new Regex("^Failure reason: .+\nNext rotation attempt: ", RegexOptions.Singleline));
        await Assertions.Expect(badge.GetByTestId("rotation-failure-reason")).ToContainTextAsync(failed.Value.Rotation.LastRotationMessage![..20]);
        summary = await _app.Rotations.GetSummaryAsync();
        await Assertions.Expect(page.GetByTestId("summary-failing-count")).ToHaveTextAsync(summary.Failing.ToString());
        await ScreenshotAsync(page, "dashboard");

        // Filters: a summary card, then the search (server side).
        await page.GetByTestId("summary-failing").ClickAsync();
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(summary.Failing);
        await Assertions.Expect(Row(page, "billing-service")).ToBeVisibleAsync();
        await Assertions.Expect(Row(page, "ledger-sync")).ToHaveCountAsync(0);
        await page.GetByTestId("summary-failing").ClickAsync(); // again: all
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(summary.Total);
        await page.GetByTestId("rotation-search").FillAsync("ledger");
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, "ledger-sync").GetByTestId("strategy-badge")).ToContainTextAsync("Private Key JWT");
        await page.GetByTestId("rotation-clear-filters").ClickAsync();
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(summary.Total);

        // The failed rotation's page says why and when it tries again; its history has the failed run with its steps.
        await Row(page, "billing-service").GetByTestId("rotation-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-failure")).ToContainTextAsync(failed.Value.Rotation.LastRotationMessage![..20]);
        var history = page.GetByTestId("run-history");
        await Assertions.Expect(history.Locator("tr[data-run]").First).ToHaveAttributeAsync("data-status", new Regex("Failed|RolledBack"));
        await history.Locator("tr[data-run]").First.GetByTestId("run-toggle").ClickAsync();
        await Assertions.Expect(history.Locator("[data-testid=run-step][data-status=Failed]")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "detail-failed");

        // The Rotations page keeps its filters in the address.
        await page.GotoAsync("/rotations?status=auto-off&q=portal");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, "customer-portal")).ToBeVisibleAsync();
        await page.GetByTestId("rotation-strategy-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Single-phase" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("strategy=singlephase"));
        await Assertions.Expect(page.Locator("tr [data-rotation]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rotation-grid")).ToContainTextAsync("No rotation matches these filters.");
        _ = reports;
        _ = ledger;
    }

    [Fact]
    public async Task Rotating_now_twice_is_refused_auto_rotation_turns_off_and_delete_needs_the_name_and_keeps_the_secrets()
    {
        var app = _app.CreateApplication("Search indexer");
        var rotation = await _app.CreateRotationAsync("search-indexer", app.ClientId, RotationStrategy.Staged, environment: "staging",
            leadTime: TimeSpan.FromSeconds(3));
        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, $"/rotations/{rotation.Id}");

        // Rotate now while a run is under way (its 3 s lead time): the button waits, and a second start is "already rotating".
        await page.GetByTestId("rotate-now").ClickAsync();
        await page.GetByTestId("rotate-now-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rotate-now")).ToBeDisabledAsync();
        // The "Rotation started" message sits bottom left, clear of the page's actions at the top right.
        var started = page.GetByText("Rotation started: follow its steps below.");
        await Assertions.Expect(started).ToBeVisibleAsync();
        var actions = await page.GetByTestId("delete-rotation").BoundingBoxAsync();
        var message = await started.BoundingBoxAsync();
        Assert.True(message!.X + message.Width < actions!.X || message.Y > actions.Y + actions.Height, "the message covers the page's actions");
        await ScreenshotAsync(page, "detail-rotation-started", keepNotifications: true);
        var second = await _app.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: false);
        Assert.Equal(Core.Common.OperationFailureKind.Conflict, second.Failure?.Kind);
        Assert.Contains("already in progress", second.Failure!.Message, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("live-run").Locator("[data-testid=run-step][data-status=Succeeded]")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "detail-rotating-live");
        await Assertions.Expect(page.GetByTestId("live-run")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("run-durations")).ToHaveAttributeAsync("data-count", "2"); // first issuance and this run
        await page.GetByTestId("theme-toggle").ClickAsync();
        await ScreenshotAsync(page, "detail-dark");
        await page.GetByTestId("theme-toggle").ClickAsync();

        // Auto-rotation off from the page: nothing is scheduled any more.
        await page.GetByRole(AriaRole.Switch, new() { Name = "Auto-rotation" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-next-rotation")).ToHaveTextAsync("on demand only");
        await Assertions.Expect(page.GetByTestId("detail-status").GetByTestId("rotation-status")).ToHaveAttributeAsync("data-status", "disabled");
        Assert.Null((await _app.Rotations.GetAsync(rotation.Id))!.NextRotationAt);

        // Delete: the button stays disabled until the name is typed; both switches start off.
        await page.GetByTestId("delete-rotation").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete search-indexer?" });
        await Assertions.Expect(dialog.GetByTestId("delete-rotation-dialog")).ToContainTextAsync("This deletes search-indexer and its run history.");
        await Assertions.Expect(dialog.GetByTestId("delete-confirm")).ToBeDisabledAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Switch, new() { Name = "Revoke credentials" })).Not.ToBeCheckedAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Switch, new() { Name = "Delete secrets" })).Not.ToBeCheckedAsync();
        await dialog.GetByTestId("delete-confirm-name").FillAsync("search-index");
        await Assertions.Expect(dialog.GetByTestId("delete-confirm")).ToBeDisabledAsync();
        await dialog.GetByTestId("delete-confirm-name").FillAsync("search-indexer");
        await ScreenshotAsync(page, "detail-delete-dialog");
        await dialog.GetByTestId("delete-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Rotations");
        Assert.Null(await _app.Rotations.GetAsync(rotation.Id));
        var folder = await _app.Get<SecretStoreService>().FindFolderAsync(rotation.ProjectId, "staging", "/");
        var secrets = await _app.Get<SecretStoreService>().ListSecretsAsync(folder!.Id);
        Assert.Contains(secrets, s => s.Key == "SEARCH_INDEXER_CLIENT_SECRET" && !s.IsOwnedByRotation); // released, not deleted
        Assert.Equal(_app.Sandbox.GetClientSecret(app.ClientId), (await _app.Get<IRotationSecretStore>().ReadCurrentAsync(folder.Id, "SEARCH_INDEXER_CLIENT_SECRET"))!.Value);
    }

    [Fact]
    public async Task Viewer_sees_status_but_cannot_rotate_edit_delete_or_reveal_in_the_page_or_the_services()
    {
        var app = _app.CreateApplication("Viewer watched app");
        var rotation = await _app.CreateRotationAsync("viewer-watched", app.ClientId, RotationStrategy.Staged, environment: "prod");
        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Viewer, "/");

        await Assertions.Expect(Row(page, "viewer-watched")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("create-rotation")).ToHaveCountAsync(0);
        await Row(page, "viewer-watched").GetByTestId("rotation-link").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("viewer-watched");
        await Assertions.Expect(page.GetByTestId("run-history").Locator("tr[data-run]")).ToHaveCountAsync(1);
        foreach (var control in new[] { "rotate-now", "edit-rotation", "delete-rotation", "reveal-credentials", "detail-auto-rotation" })
        {
            await Assertions.Expect(page.GetByTestId(control)).ToHaveCountAsync(0);
        }

        await Assertions.Expect(page.GetByTestId("generated-credentials")).ToContainTextAsync("Only an Admin can reveal");
        await Assertions.Expect(page.GetByTestId("detail-auto-rotation-text")).ToHaveTextAsync("Enabled");
        await ScreenshotAsync(page, "detail-viewer");
        await page.GotoAsync($"/rotations/{rotation.Id}/edit");
        await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Access denied");
        await page.GotoAsync("/rotations/new");
        await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Access denied");
        await Assertions.Expect(page.GetByTestId("rotation-wizard")).ToHaveCountAsync(0);

        // The services refuse a Viewer whatever the page shows, and say so in the audit log.
        var victor = RotationsUiAppFactory.Victor;
        var service = _app.Rotations;
        await Assert.ThrowsAsync<ForbiddenActionException>(() => _app.RotateNow.ExecuteAsync(rotation.Id, RunTrigger.Manual, victor, waitForCompletion: false));
        await Assert.ThrowsAsync<ForbiddenActionException>(() => _app.UpdateRotation.ExecuteAsync(rotation.Id, new RotationChanges { RotationInterval = 2 }, victor));
        await Assert.ThrowsAsync<ForbiddenActionException>(() => _app.DeleteRotation.ExecuteAsync(rotation.Id, false, false, victor));
        await Assert.ThrowsAsync<ForbiddenActionException>(() => _app.RevealCredentials.ExecuteAsync(rotation.Id, victor));
        var unchanged = await service.GetAsync(rotation.Id);
        Assert.Equal((30, rotation.LastRotationJobId), (unchanged!.RotationInterval, unchanged.LastRotationJobId));
        var denied = await _app.Get<IAuditLog>().QueryAsync(new AuditQuery { Actor = SandboxSignIn.Viewer, Outcome = AuditOutcome.Denied, Target = rotation.Id.ToString() });
        Assert.Equal(4, denied.TotalCount);
    }

    [Fact]
    public async Task A_rotation_that_needs_attention_or_has_a_clean_up_pending_says_so_in_its_row_and_on_its_page_until_the_next_success()
    {
        var stuck = await _app.CreateRotationAsync("warn-stuck-rollback", _app.CreateApplication("Stuck rollback").ClientId, RotationStrategy.Staged);
        var cleanup = await _app.CreateRotationAsync("warn-cleanup-pending", _app.CreateApplication("Cleanup pending", SandboxAuthMethod.PrivateKeyJwt).ClientId,
            RotationStrategy.PrivateKeyJwt);

        // Needs attention: Verify is refused, then every PATCH (the rollback's) fails; the engine asks Auth0 which
        // credential it accepts and keeps that one.
        var patchFails = new SandboxFailureRule("PATCH", "/api/v2/clients/*", 503, Times: 1000);
        using (_app.Get<IRotationRunNotifier>().Subscribe(e =>
               {
                   if (e is RunStepChangedEvent { Step: RunStepName.Verify, Status: RunStepStatus.Running } && e.RotationId == stuck.Id)
                   {
                       _app.Sandbox.SetFaults(new SandboxFaults { Failures = [new SandboxFailureRule("POST", "/oauth/token", 401, Times: 1000), patchFails] });
                   }
                   else if (e is RunStepChangedEvent { Step: RunStepName.Verify, Status: RunStepStatus.Failed } && e.RotationId == stuck.Id)
                   {
                       _app.Sandbox.SetFaults(new SandboxFaults { Failures = [patchFails] });
                   }
               }))
        {
            var stuckRun = await _app.RotateNow.ExecuteAsync(stuck.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: true);
            _app.Sandbox.ClearFaults();
            Assert.True(stuckRun.Value.Rotation.NeedsAttention, stuckRun.Value.Rotation.LastRotationMessage);
        }

        // Clean-up pending: Auth0 refuses to delete the previous key.
        _app.Sandbox.AddFailure(new SandboxFailureRule("DELETE", "/api/v2/clients/*/credentials/*", 503, Times: 1000));
        var cleanupRun = await _app.RotateNow.ExecuteAsync(cleanup.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: true);
        _app.Sandbox.ClearFaults();
        Assert.Equal(RunStatus.Succeeded, cleanupRun.Value.Run.Status);

        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/rotations?q=warn-");
        await Assertions.Expect(Row(page, "warn-stuck-rollback").GetByTestId("rotation-needs-attention")).ToContainTextAsync("Needs attention");
        await Assertions.Expect(Row(page, "warn-stuck-rollback").GetByTestId("rotation-needs-attention")).ToHaveAttributeAsync("title", new Regex("Rollback incomplete"));
        await Assertions.Expect(Row(page, "warn-cleanup-pending").GetByTestId("rotation-cleanup-pending")).ToContainTextAsync("Clean-up pending");
        await Assertions.Expect(Row(page, "warn-cleanup-pending").GetByTestId("rotation-status")).Not.ToHaveAttributeAsync("data-status", "failed");
        await ScreenshotAsync(page, "dashboard-warnings");

        await page.GotoAsync($"/rotations/{stuck.Id}");
        await BrowserSession.WaitForCircuitAsync(page);
        var attention = page.GetByTestId("detail-needs-attention");
        await Assertions.Expect(attention).ToContainTextAsync("Needs attention");
        await Assertions.Expect(attention).ToContainTextAsync("Rollback incomplete");
        await Assertions.Expect(attention).ToContainTextAsync("checked with token requests: Auth0 accepts");
        await Assertions.Expect(attention).Not.ToContainTextAsync("The previous credential still works");
        await ScreenshotAsync(page, "detail-needs-attention");

        await page.GotoAsync($"/rotations/{cleanup.Id}");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("detail-warning")).ToContainTextAsync("Rotated; clean-up pending:");
        var history = page.GetByTestId("run-history");
        await Assertions.Expect(history.Locator("tr[data-run]").First.GetByTestId("run-outcome")).ToHaveTextAsync("Succeeded, clean-up pending");
        await history.Locator("tr[data-run]").First.GetByTestId("run-toggle").ClickAsync();
        await Assertions.Expect(history.Locator("[data-testid=run-step][data-status=Failed]")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "detail-cleanup-pending");

        // The next successful runs clear both warnings.
        Assert.Equal(RunStatus.Succeeded, (await _app.RotateNow.ExecuteAsync(stuck.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: true)).Value.Run.Status);
        Assert.Equal(RunStatus.Succeeded, (await _app.RotateNow.ExecuteAsync(cleanup.Id, RunTrigger.Api, RotationsUiAppFactory.Ada, waitForCompletion: true)).Value.Run.Status);
        await Assertions.Expect(page.GetByTestId("detail-cleanup-pending")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await page.GotoAsync("/rotations?q=warn-");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(Row(page, "warn-stuck-rollback")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("rotation-needs-attention")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rotation-cleanup-pending")).ToHaveCountAsync(0);
    }

    private static ILocator Row(IPage page, string name) => page.Locator("tr").Filter(new() { Has = page.Locator($"[data-rotation='{name}']") });
}
