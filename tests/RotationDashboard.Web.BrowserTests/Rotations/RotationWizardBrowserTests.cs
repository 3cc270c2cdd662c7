using RotationDashboard.Testing;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Connections;
using RotationDashboard.Web.Services.Secrets;
using RotationDashboard.Web.Tests.Infrastructure;
using static RotationDashboard.Web.Tests.RotationsUi.RotationPages;

namespace RotationDashboard.Web.Tests.RotationsUi;

/// <summary>
/// The creation wizard in Chromium for each strategy, with a validation error on every step, then the rotation's page:
/// Rotate now with live steps, history, and an audited reveal. Each test uses its own environment and applications.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class RotationWizardBrowserTests : IClassFixture<RotationsUiAppFactory>
{
    private readonly RotationsUiAppFactory _app;

    public RotationWizardBrowserTests(RotationsUiAppFactory app) => _app = app;

    [Fact]
    public async Task Staged_rotation_through_every_step_then_rotate_now_history_and_an_audited_reveal()
    {
        var app = _app.CreateApplication("Orders worker");
        // A connection that worked when it was saved; its application's secret was changed in Auth0 since.
        var brokenM2m = _app.Sandbox.CreateManagementClient("broken-tenant-m2m", SandboxSeed.DashboardScopes);
        var broken = await _app.Get<CreateConnection>().ExecuteAsync(
            new ConnectionInput("broken-tenant", new Uri(_app.Address, "sandbox-tenant").AbsoluteUri, brokenM2m.ClientId,
                brokenM2m.ClientSecret, IsSandbox: true), RotationsUiAppFactory.Ada);
        Assert.True(broken.Succeeded, broken.ToString());
        var window = _app.Sandbox.PropagationWindow;
        _app.Sandbox.SetPropagationWindow(TimeSpan.Zero);
        _app.Sandbox.SetClientSecret(brokenM2m.ClientId, "not-the-secret-00000000000000000000000000000000");
        _app.Sandbox.SetPropagationWindow(window);
        Assert.False((await _app.Get<ValidateConnection>().ExecuteAsync(broken.Value.Id, RotationsUiAppFactory.Ada)).Value.Ok); // its last test says so
        var folder = await _app.Get<SecretStoreService>().FindFolderAsync(await _app.DefaultProjectIdAsync(), "dev", "/");
        await _app.Get<SecretStoreService>().CreateSecretAsync(folder!.Id, "ORDERS_CLIENT_SECRET", "hand-made-value", Actor.User(SandboxSignIn.Admin));

        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/rotations/new");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Create rotation");

        // 1. Connection: the broken one is refused for its failed test; the sandbox one passes its test.
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await page.Locator("[data-testid=wizard-connection][data-connection=broken-tenant]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-connectionId")).ToContainTextAsync("last test failed");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "wizard-1-connection-error");
        var sandbox = page.Locator($"[data-testid=wizard-connection][data-connection={SandboxConnections.DefaultConnectionName}]");
        await sandbox.ClickAsync();
        await Assertions.Expect(sandbox.GetByTestId("connection-status-badge")).ToHaveTextAsync("Connected");
        await page.NextAsync(1);

        // 2. Interval: bounds enforced.
        await page.FillNumberAsync("wizard-interval", "0");
        await Assertions.Expect(page.GetByTestId("field-error")).ToContainTextAsync("at least 1 day");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await page.FillNumberAsync("wizard-interval", "400");
        await Assertions.Expect(page.GetByTestId("field-error")).ToContainTextAsync("at most 365 days");
        await ScreenshotAsync(page, "wizard-2-interval-error");
        await page.FillNumberAsync("wizard-interval", "14");
        await page.NextAsync(2);

        // 3. Rotate at (local time with its UTC equivalent), auto-rotation, strategy and its lead time.
        await page.GetByTestId("wizard-rotate-at").FillAsync("25:00");
        await Assertions.Expect(page.Step(2).GetByTestId("field-error")).ToContainTextAsync("HH:mm");
        await page.GetByTestId("wizard-rotate-at").FillAsync("07:30");
        await Assertions.Expect(page.Step(2)).ToContainTextAsync("= 02:00 UTC"); // Asia/Kolkata is UTC+5:30
        await Assertions.Expect(page.GetByTestId("wizard-strategy-Staged")).ToHaveAttributeAsync("aria-checked", "true");
        await page.FillNumberAsync("wizard-lead-time", "8");
        await page.PickAsync("wizard-lead-time-unit", "Days");
        await Assertions.Expect(page.Step(2).GetByTestId("field-error")).ToContainTextAsync("at most 7 days");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "wizard-3-schedule-error");
        await page.FillNumberAsync("wizard-lead-time", "1");
        await page.PickAsync("wizard-lead-time-unit", "Seconds");
        await Assertions.Expect(page.Step(2).GetByTestId("field-error")).ToHaveCountAsync(0);
        await page.NextAsync(3);

        // 4. Application: a Private Key JWT application has no client secret for a staged rotation.
        var picker = page.GetByTestId("application-picker");
        await picker.GetByTestId("application-refresh").ClickAsync(); // the application was created after the list was cached
        await Assertions.Expect(picker.Locator($"tr[data-client-id='{app.ClientId}']")).ToBeVisibleAsync(); // rows move when the list arrives
        await picker.Locator($"tr[data-client-id='{SandboxSeed.LedgerSyncClientId}']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-parameters.clientId")).ToContainTextAsync("no client secret to rotate");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "wizard-4-application-error");
        await page.GetByTestId("application-search").FillAsync("orders");
        await picker.GetByRole(AriaRole.Button, new() { Name = "Select Orders worker" }).ClickAsync(); // the keyboard's way to pick
        await Assertions.Expect(page.GetByTestId("wizard-picked-application")).ToContainTextAsync("Orders worker");
        await page.NextAsync(4);

        // 5. Secret mapping: a bad name, then names that already exist in the folder.
        await page.EnterAsync("wizard-map-client-id", "ORDERS:CLIENT_ID");
        await Assertions.Expect(page.Step(4).GetByTestId("field-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await page.EnterAsync("wizard-map-client-id", "ORDERS_CLIENT_ID");
        await page.EnterAsync("wizard-map-client-secret", "ORDERS_CLIENT_SECRET");
        await page.GetByTestId("wizard-next").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-secretsMapping")).ToContainTextAsync("already exist at the path \"/\": ORDERS_CLIENT_SECRET");
        await ScreenshotAsync(page, "wizard-5-mapping-conflict");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await page.Mouse.MoveAsync(5, 850); // the toggle's tooltip would cover the header
        await ScreenshotAsync(page, "wizard-5-mapping-conflict-dark");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await page.EnterAsync("wizard-map-client-secret", "ORDERS_AUTH0_SECRET");
        await page.NextAsync(5);

        // 6. Name with live feedback.
        await page.GetByTestId("wizard-name").FillAsync("Orders Worker");
        await Assertions.Expect(page.Step(5).GetByTestId("field-error")).ToContainTextAsync("lowercase letters, numbers, and hyphens");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await page.GetByTestId("wizard-name").FillAsync("orders-worker");
        await Assertions.Expect(page.GetByTestId("wizard-name-ok")).ToBeVisibleAsync();
        await page.GetByTestId("wizard-description").FillAsync("Client secret of the orders worker, staged for zero downtime.");
        await page.GetByTestId("wizard-name").PressAsync("Enter"); // Enter in a field submits nothing
        await Assertions.Expect(page.Step(5)).ToBeVisibleAsync();
        await ScreenshotAsync(page, "wizard-6-name");

        // Back keeps what was entered.
        await page.GetByTestId("wizard-back").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-map-client-secret")).ToHaveValueAsync("ORDERS_AUTH0_SECRET");
        await page.NextAsync(5);
        await Assertions.Expect(page.GetByTestId("wizard-name")).ToHaveValueAsync("orders-worker");
        await page.NextAsync(6);

        // 7. Review, then Create runs the first issuance live.
        await Assertions.Expect(page.GetByTestId("review-interval")).ToHaveTextAsync("14 days");
        await Assertions.Expect(page.GetByTestId("review-rotate-at")).ToHaveTextAsync(new Regex(@"^07:30 Asia/(Kolkata|Calcutta) \(02:00 UTC\)$"));
        await Assertions.Expect(page.GetByTestId("review-client-id")).ToHaveTextAsync(app.ClientId);
        await Assertions.Expect(page.GetByTestId("review-map-clientSecret")).ToHaveTextAsync("ORDERS_AUTH0_SECRET");
        await ScreenshotAsync(page, "wizard-7-review");
        await page.GetByTestId("wizard-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-result")).ToHaveAttributeAsync("data-outcome", "succeeded", new() { Timeout = 20_000 });
        var steps = page.GetByTestId("wizard-progress").GetByTestId("run-step");
        await Assertions.Expect(steps).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("wizard-progress").Locator("[data-testid=run-step][data-status=Succeeded]")).ToHaveCountAsync(5);
        await ScreenshotAsync(page, "wizard-8-created");
        var firstSecret = _app.Sandbox.GetClientSecret(app.ClientId);
        Assert.NotEqual(app.ClientSecret, firstSecret);

        // The rotation's page: Rotate now, follow the steps, see the history.
        await page.GetByTestId("wizard-open-rotation").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("orders-worker");
        await Assertions.Expect(page.GetByTestId("detail-schedule")).ToContainTextAsync(new Regex(@"Every 14 days at 07:30\s+Asia/(Kolkata|Calcutta)"));
        await page.GetByTestId("rotate-now").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rotate-now-effect")).ToContainTextAsync("published as NEXT first");
        await ScreenshotAsync(page, "detail-rotate-now-confirm");
        await page.GetByTestId("rotate-now-confirm").ClickAsync();
        var live = page.GetByTestId("live-run");
        await Assertions.Expect(live).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("rotate-now")).ToBeDisabledAsync();
        await Assertions.Expect(live).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 20_000 });
        await Assertions.Expect(live.Locator("[data-testid=run-step][data-status=Succeeded]")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("rotate-now")).ToBeEnabledAsync();
        var history = page.GetByTestId("run-history");
        await Assertions.Expect(history.Locator("tr[data-run]")).ToHaveCountAsync(2);
        await Assertions.Expect(history.GetByTestId("run-trigger").First).ToHaveTextAsync("Rotate now");
        await Assertions.Expect(history.GetByTestId("run-trigger").Nth(1)).ToHaveTextAsync("First issuance");
        await history.Locator("tr[data-run]").First.GetByTestId("run-toggle").ClickAsync();
        await Assertions.Expect(history.GetByTestId("run-detail").GetByTestId("run-step")).ToHaveCountAsync(5);
        var currentSecret = _app.Sandbox.GetClientSecret(app.ClientId)!;
        Assert.NotEqual(firstSecret, currentSecret);
        await Assertions.Expect(page.GetByText(currentSecret)).ToHaveCountAsync(0); // masked
        // Before any reveal both slots are listed, masked, with whether Auth0 still accepts them.
        await Assertions.Expect(page.Locator("[data-testid=credential-slot][data-stage=Current] [data-testid=credential-masked]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=credential-slot][data-stage=Previous] [data-testid=credential-validity]"))
            .ToContainTextAsync("No longer valid");
        await Assertions.Expect(page.Locator("[data-testid=credential-slot][data-stage=Previous] [data-testid=credential-retired]")).ToContainTextAsync("retired 20");
        await ScreenshotAsync(page, "detail-after-rotate-now");

        // Reveal: CURRENT is the secret Auth0 has; PREVIOUS is labelled dead (Auth0 keeps one secret).
        await page.GetByTestId("reveal-credentials").ClickAsync();
        await Assertions.Expect(page.GetByTestId("credential-secret-Current")).ToHaveTextAsync(currentSecret);
        await Assertions.Expect(page.Locator("[data-testid=credential-slot][data-stage=Previous] [data-testid=credential-validity]"))
            .ToContainTextAsync("No longer valid");
        // The picture shows the revealed layout, not the values: no secret in a screenshot, even a sandbox one.
        await page.AddStyleTagAsync(new() { Content = "[data-testid^=credential-secret-], [data-testid^=credential-key-] { filter: blur(7px); }" });
        await ScreenshotAsync(page, "detail-credentials-revealed");
        await page.GetByTestId("hide-credentials").ClickAsync();
        await Assertions.Expect(page.GetByText(currentSecret)).ToHaveCountAsync(0);

        var reveals = await _app.Get<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.RotationRevealCredentials, Target = "orders-worker" });
        var reveal = Assert.Single(reveals.Items);
        Assert.Equal($"user:{SandboxSignIn.Admin}", reveal.Actor);
        Assert.DoesNotContain(currentSecret, reveal.Details ?? "");
    }

    [Fact]
    public async Task Single_phase_rotation_with_errors_on_every_step_a_server_error_on_its_field_then_edited()
    {
        var app = _app.CreateApplication("Legacy reports", SandboxAuthMethod.ClientSecretBasic);
        var rotatedApp = _app.CreateApplication("Legacy reports old");
        await _app.CreateRotationAsync("legacy-reports", rotatedApp.ClientId, RotationStrategy.Staged, environment: "staging");
        var store = _app.Get<SecretStoreService>();
        var staging = await store.FindFolderAsync(await _app.DefaultProjectIdAsync(), "staging", "/");
        // A second connection, so the wizard has a choice to make (with one, it picks it).
        await _app.Get<CreateConnection>().ExecuteAsync(new ConnectionInput("second-tenant", new Uri(_app.Address, "sandbox-tenant").AbsoluteUri,
            SandboxSeed.DashboardClientId, SandboxSeed.DefaultDashboardClientSecret, IsSandbox: true), RotationsUiAppFactory.Ada);

        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/rotations/new");

        // 1. Connection: nothing picked yet, so Next says what is missing.
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("wizard-blocker")).ToContainTextAsync("Pick the connection");
        // By keyboard: a connection is a radio button that Tab reaches and Space picks.
        var choice = page.Locator($"[role=radio][data-connection={SandboxConnections.DefaultConnectionName}]");
        await choice.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(choice).ToHaveAttributeAsync("aria-checked", "true");
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeEnabledAsync();
        await page.NextAsync(1);

        // 2. Interval: empty is not a number of days.
        await page.FillNumberAsync("wizard-interval", "");
        await Assertions.Expect(page.Step(1).GetByTestId("field-error")).ToContainTextAsync("whole days");
        await page.FillNumberAsync("wizard-interval", "30");
        await page.NextAsync(2);

        // 3. Single-phase turns auto-rotation off by default (as Hanzo); turning it on shows the interruption warning.
        await page.GetByTestId("wizard-strategy-SinglePhase").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-auto-rotation")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("single-phase-warning")).ToHaveCountAsync(0);
        await page.GetByLabel("Auto-rotation disabled").CheckAsync();
        await Assertions.Expect(page.GetByTestId("single-phase-warning")).ToContainTextAsync("breaks the services");
        await page.GetByTestId("wizard-rotate-at").FillAsync("7");
        await Assertions.Expect(page.Step(2).GetByTestId("field-error")).ToContainTextAsync("HH:mm");
        await ScreenshotAsync(page, "wizard-3-single-phase-warning");
        await page.GetByTestId("wizard-rotate-at").FillAsync("23:15");
        await Assertions.Expect(page.Step(2)).ToContainTextAsync("= 17:45 UTC");
        await page.NextAsync(3);

        // 4. Application: a Private Key JWT application cannot take a client-secret strategy.
        var picker = page.GetByTestId("application-picker");
        await picker.GetByTestId("application-refresh").ClickAsync();
        await Assertions.Expect(picker.Locator($"tr[data-client-id='{app.ClientId}']")).ToBeVisibleAsync();
        // An application another rotation already rotates says by which one, and cannot be picked.
        await page.GetByTestId("application-search").FillAsync("Legacy reports");
        var owned = picker.Locator($"tr[data-client-id='{rotatedApp.ClientId}']");
        await Assertions.Expect(owned.GetByTestId("application-rotated-by")).ToContainTextAsync("Rotated by legacy-reports");
        await owned.ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-picked-application")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "wizard-4-application-rotated-by");
        await page.GetByTestId("application-search").FillAsync("");
        await picker.Locator($"tr[data-client-id='{SandboxSeed.LedgerSyncClientId}']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-error-parameters.clientId")).ToBeVisibleAsync();
        await picker.Locator($"tr[data-client-id='{app.ClientId}']").ClickAsync();
        await page.NextAsync(4);

        // 5. Secret mapping in staging: a required name left empty.
        await page.PickAsync("wizard-environment", "Staging");
        await page.EnterAsync("wizard-map-client-id", "");
        await Assertions.Expect(page.Step(4).GetByTestId("field-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await page.EnterAsync("wizard-map-client-id", "LEGACY_CLIENT_ID");
        await page.EnterAsync("wizard-map-client-secret", "LEGACY_CLIENT_SECRET");
        await page.NextAsync(5);

        // 6. Name: already used in the folder (checked on Next).
        await page.GetByTestId("wizard-name").FillAsync("legacy-reports");
        await page.GetByTestId("wizard-next").ClickAsync();
        await Assertions.Expect(page.Step(5).GetByTestId("field-error")).ToContainTextAsync("already exists at the secret path \"/\"");
        await page.GetByTestId("wizard-name").FillAsync("legacy-reports-secret");
        await page.NextAsync(6);

        // 7. Meanwhile someone creates a secret with a mapped name: the service refuses, and its error lands on step 5's field.
        await store.CreateSecretAsync(staging!.Id, "LEGACY_CLIENT_SECRET", "made-meanwhile", Actor.User(SandboxSignIn.Admin));
        await page.GetByTestId("wizard-submit").ClickAsync();
        await Assertions.Expect(page.Step(4)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("field-error-secretsMapping")).ToContainTextAsync("LEGACY_CLIENT_SECRET");
        await Assertions.Expect(page.GetByTestId("wizard-error")).ToContainTextAsync("Nothing was created: check Secret mapping");
        await ScreenshotAsync(page, "wizard-server-error-on-field");
        Assert.Equal(app.ClientSecret, _app.Sandbox.GetClientSecret(app.ClientId)); // Auth0 untouched
        await page.EnterAsync("wizard-map-client-secret", "LEGACY_REPORTS_SECRET");
        await page.NextAsync(5);
        await page.NextAsync(6);
        await page.GetByTestId("wizard-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-result")).ToHaveAttributeAsync("data-outcome", "succeeded", new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("wizard-progress").Locator("[data-testid=run-step][data-status=Succeeded]")).ToHaveCountAsync(4);

        // Edit with the same wizard: the connection and location are fixed; interval and strategy change.
        await page.GetByTestId("wizard-open-rotation").ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-configuration")).ToContainTextAsync("Single-phase");
        await page.GetByTestId("edit-rotation").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Edit legacy-reports-secret");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Connection" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-connection-readonly")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Interval" }).ClickAsync();
        await page.FillNumberAsync("wizard-interval", "60");
        await page.NextAsync(2);
        await Assertions.Expect(page.GetByTestId("wizard-strategy-PrivateKeyJwt")).ToBeDisabledAsync();
        await page.GetByTestId("wizard-strategy-Staged").ClickAsync();
        await ScreenshotAsync(page, "wizard-edit-schedule");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Secret mapping" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-environment")).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Review" }).ClickAsync();
        await page.GetByTestId("wizard-submit").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("legacy-reports-secret");
        await Assertions.Expect(page.GetByTestId("detail-schedule")).ToContainTextAsync("Every 60 days at 23:15");
        await Assertions.Expect(page.GetByTestId("detail-configuration")).ToContainTextAsync("Staged");
    }

    [Fact]
    public async Task Private_key_jwt_rotation_explains_missing_scopes_asks_before_switching_and_maps_three_secrets()
    {
        var signer = _app.CreateApplication("Invoices signer", SandboxAuthMethod.PrivateKeyJwt);
        var secretApp = _app.CreateApplication("Invoices mailer");
        var limited = _app.Sandbox.CreateManagementClient("Limited M2M", ["read:clients", "update:client_keys"]);
        var created = await _app.Get<CreateConnection>().ExecuteAsync(
            new ConnectionInput("limited-tenant", new Uri(_app.Address, "sandbox-tenant").AbsoluteUri, limited.ClientId, limited.ClientSecret, IsSandbox: true),
            RotationsUiAppFactory.Ada);
        Assert.True(created.Succeeded, created.ToString());

        await using var browser = await BrowserSession.StartAsync(_app.Address, RotationsUiAppFactory.BrowserTimeZone);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/rotations/new");

        // A connection without the credential scopes: Private Key JWT is explained, not hidden.
        var limitedChoice = page.Locator("[data-testid=wizard-connection][data-connection=limited-tenant]");
        await limitedChoice.ClickAsync();
        await Assertions.Expect(limitedChoice.GetByTestId("connection-status-badge")).ToHaveTextAsync("Missing scopes");
        await page.NextAsync(1);
        await page.FillNumberAsync("wizard-interval", "0");
        await Assertions.Expect(page.Step(1).GetByTestId("field-error")).ToBeVisibleAsync();
        await page.FillNumberAsync("wizard-interval", "90");
        await page.NextAsync(2);
        await Assertions.Expect(page.GetByTestId("wizard-strategy-PrivateKeyJwt")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("strategy-missing-scopes")).ToContainTextAsync("create:client_credentials");
        await ScreenshotAsync(page, "wizard-3-missing-scopes");
        await page.GetByTestId("wizard-back").ClickAsync();
        await page.GetByTestId("wizard-back").ClickAsync();
        await page.Locator($"[data-testid=wizard-connection][data-connection={SandboxConnections.DefaultConnectionName}]").ClickAsync();
        await page.NextAsync(1);
        await Assertions.Expect(page.GetByTestId("wizard-interval")).ToHaveValueAsync("90"); // Back kept it
        await page.NextAsync(2);

        // 3. Private Key JWT with a grace period; a negative one is refused.
        await page.GetByTestId("wizard-strategy-PrivateKeyJwt").ClickAsync();
        await page.FillNumberAsync("wizard-grace-period", "-5");
        await Assertions.Expect(page.Step(2).GetByTestId("field-error")).ToContainTextAsync("cannot be negative");
        await page.FillNumberAsync("wizard-grace-period", "1");
        await page.PickAsync("wizard-grace-period-unit", "Seconds");
        await page.GetByTestId("wizard-certificate").CheckAsync(); // each key goes to Auth0 as a self-signed certificate
        await ScreenshotAsync(page, "wizard-3-private-key-jwt-certificate");
        await page.NextAsync(3);

        // 4. An application on a client secret needs consent to switch; pick the one that already uses keys.
        var picker = page.GetByTestId("application-picker");
        await picker.GetByTestId("application-refresh").ClickAsync();
        await Assertions.Expect(picker.Locator($"tr[data-client-id='{signer.ClientId}']")).ToBeVisibleAsync();
        await picker.Locator($"tr[data-client-id='{secretApp.ClientId}']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-switch-pkj")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("wizard-next")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("wizard-blocker")).ToContainTextAsync("Confirm the switch to Private Key JWT");
        await ScreenshotAsync(page, "wizard-4-switch-consent");
        await picker.Locator($"tr[data-client-id='{signer.ClientId}']").ClickAsync();
        await page.NextAsync(4);

        // 5. Three secret names in prod; duplicates are refused.
        await page.PickAsync("wizard-environment", "Production");
        await Assertions.Expect(page.GetByTestId("wizard-map-private-key")).ToHaveValueAsync("AUTH0_PRIVATE_KEY");
        await page.EnterAsync("wizard-map-key-id", "AUTH0_PRIVATE_KEY");
        await Assertions.Expect(page.GetByTestId("field-error-secretsMapping")).ToContainTextAsync("must be unique");
        await page.EnterAsync("wizard-map-key-id", "AUTH0_KEY_ID");
        await page.NextAsync(5);

        // 6. A name over 64 characters.
        await page.GetByTestId("wizard-name").FillAsync(new string('a', 65));
        await Assertions.Expect(page.Step(5).GetByTestId("field-error")).ToContainTextAsync("at most 64");
        await page.GetByTestId("wizard-name").FillAsync("invoices-signer-key");
        await page.NextAsync(6);
        await Assertions.Expect(page.GetByTestId("review-map-keyId")).ToHaveTextAsync("AUTH0_KEY_ID");
        await Assertions.Expect(page.GetByTestId("review-key-format")).ToHaveTextAsync("Self-signed certificate, valid 180 days"); // two 90-day intervals plus the 1 s grace period
        await page.GetByTestId("wizard-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("wizard-result")).ToHaveAttributeAsync("data-outcome", "succeeded", new() { Timeout = 20_000 });
        await ScreenshotAsync(page, "wizard-8-created-private-key-jwt");

        // Both keys are attached during the overlap, then the old one goes; CURRENT reveals a PEM key and its key id.
        await page.GetByTestId("wizard-open-rotation").ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-key-format")).ToContainTextAsync("Self-signed certificate");
        Assert.NotNull(Assert.Single(_app.Sandbox.GetCredentials(signer.ClientId), c => c.Name.StartsWith("rotation-dashboard:", StringComparison.Ordinal)).ExpiresAt);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (_app.Sandbox.FindClient(signer.ClientId)!.AttachedCredentials.Any(c => c.Id == signer.KeyPair!.CredentialId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var attached = Assert.Single(_app.Sandbox.FindClient(signer.ClientId)!.AttachedCredentials);
        Assert.NotEqual(signer.KeyPair!.CredentialId, attached.Id); // the original key was retired after the 1 s grace period
        await Assertions.Expect(page.GetByTestId("run-history").Locator("tr[data-run]").First).ToHaveAttributeAsync("data-status", "Succeeded");

        // Revealed after the run ended: the page hides revealed values when a run finishes (they may have changed).
        await page.GetByTestId("reveal-credentials").ClickAsync();
        await Assertions.Expect(page.GetByTestId("credential-key-Current")).ToContainTextAsync("-----BEGIN");
    }
}

internal static class WizardPageExtensions
{
    /// <summary>Types into a number field and leaves it.</summary>
    public static async Task FillNumberAsync(this IPage page, string testId, string value)
    {
        var input = page.GetByTestId(testId);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    /// <summary>Opens a select and picks its option by text.</summary>
    public static async Task PickAsync(this IPage page, string testId, string text)
    {
        await page.GetByTestId(testId).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = text, Exact = true }).ClickAsync();
    }
}
