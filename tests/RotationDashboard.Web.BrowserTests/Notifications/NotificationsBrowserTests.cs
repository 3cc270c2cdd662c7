using RotationDashboard.Testing;
using System.Text.Json;
using Microsoft.Playwright;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Hosting;
using RotationDashboard.Web.Tests.Browser;
using RotationDashboard.Web.Tests.Infrastructure;
using static RotationDashboard.Web.Tests.RotationsUi.RotationPages;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>
/// An admin on a fresh dashboard adds a webhook and a Slack channel, subscribes both to failures, injects a fault in
/// the sandbox tenant, rotates, and sees the failure delivered in the delivery log and on the rotation's page.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class NotificationsBrowserTests(NotificationsAppFactory app) : IClassFixture<NotificationsAppFactory>
{
    [Fact]
    public async Task Admin_adds_webhook_and_slack_subscribes_to_failures_and_sees_an_injected_failure_delivered()
    {
        await using var webhook = new LoopbackReceiver();
        await using var slack = new LoopbackReceiver();
        var client = app.Sandbox.CreateClient("Invoice sender", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("invoice-sender", client.ClientId);

        await using var browser = await BrowserSession.StartAsync(app.Address);
        var page = await OpenAsync(browser, SandboxSignIn.Admin, "/notifications");
        await Assertions.Expect(page.GetByText("No channels yet")).ToBeVisibleAsync();

        // A webhook with its signing secret, then a Slack incoming webhook (its URL is the credential).
        await page.GetByTestId("channel-name").FillAsync("ops-webhook");
        await page.GetByTestId("channel-url").FillAsync(webhook.Url.ToString());
        await page.GetByTestId("channel-secret").FillAsync("browser-test-signing-secret");
        await page.GetByTestId("channel-create").ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-channel='ops-webhook']")).ToBeVisibleAsync();

        await page.ChooseAsync(page.GetByTestId("channel-kind"), "Slack incoming webhook");
        await BrowserSession.ScreenshotAsync(page, "notifications-slack-chosen");
        await Assertions.Expect(page.GetByTestId("channel-secret")).ToHaveCountAsync(0); // a Slack URL is its own secret
        await page.GetByTestId("channel-name").FillAsync("slack-ops");
        await page.GetByTestId("channel-url").FillAsync(new Uri(slack.Url, "T000/B000/browser-slack-token").ToString());
        await page.GetByTestId("channel-create").ClickAsync();
        var slackRow = page.Locator("tr[data-channel='slack-ops']");
        await Assertions.Expect(slackRow).ToBeVisibleAsync();
        await Assertions.Expect(slackRow).Not.ToContainTextAsync("browser-slack-token");

        foreach (var name in new[] { "ops-webhook", "slack-ops" })
        {
            var row = page.Locator($"tr[data-channel='{name}']");
            await page.ChooseAsync(row.GetByTestId("subscribe-type"), "Run failed");
            if (name == "slack-ops")
            {
                // Slack hears about this one rotation only: pick its project, then search the project's rotations by name.
                await page.ChooseAsync(row.GetByTestId("subscribe-project"), "Default project");
                await row.GetByTestId("subscribe-rotation").FillAsync("invoice");
                await page.GetByRole(AriaRole.Option, new() { Name = "invoice-sender (dev)", Exact = true }).ClickAsync();
            }

            await row.GetByTestId("subscribe").ClickAsync();
            await Assertions.Expect(row.Locator($"[data-testid=subscription][data-event='{NotificationEventTypes.RunFailed}']")).ToBeVisibleAsync();
        }

        await Assertions.Expect(slackRow.GetByTestId("subscription")).ToContainTextAsync("project Default project, rotation invoice-sender");

        await ScreenshotAsync(page, "notifications-channels");

        // Fault injection in the sandbox tenant (its admin endpoint, from the browser's own loopback session).
        var inject = await page.APIRequest.PostAsync($"{SandboxIntegration.MountPath}/__sandbox/faults/failures", new()
        {
            DataObject = new { method = "PATCH", path = "/api/v2/clients/*", statusCode = 500, times = 100 },
        });
        Assert.True(inject.Ok, $"fault injection: {inject.Status} {await inject.TextAsync()}");

        await page.GotoAsync($"/rotations/{rotation.Id}");
        await BrowserSession.WaitForCircuitAsync(page);
        await page.GetByTestId("rotate-now").ClickAsync();
        await page.GetByTestId("rotate-now-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-failure").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.APIRequest.DeleteAsync($"{SandboxIntegration.MountPath}/__sandbox/faults");

        // Both channels got the failure; the log says so with the receivers' status codes.
        await page.GotoAsync("/notifications");
        await BrowserSession.WaitForCircuitAsync(page);
        foreach (var name in new[] { "ops-webhook", "slack-ops" })
        {
            var delivered = page.Locator($"[data-testid=delivery][data-channel='{name}'][data-event='{NotificationEventTypes.RunFailed}']");
            await Assertions.Expect(delivered).ToHaveAttributeAsync("data-status", "delivered", new() { Timeout = 20_000 });
            await Assertions.Expect(delivered).ToContainTextAsync("Rotation invoice-sender failed");
            await Assertions.Expect(delivered).ToContainTextAsync("200");
        }

        await ScreenshotAsync(page, "notifications-delivered");

        var hook = Assert.Single(webhook.Requests);
        Assert.True(WebhookSignature.Verify("browser-test-signing-secret", hook.Header(WebhookSignature.HeaderName), hook.Body, DateTimeOffset.UtcNow));
        using (var message = JsonDocument.Parse(Assert.Single(slack.Requests).Body))
        {
            Assert.Equal("Rotation invoice-sender failed", message.RootElement.GetProperty("text").GetString());
        }

        Assert.DoesNotContain(client.ClientSecret!, hook.Body, StringComparison.Ordinal);

        // The rotation's page says who was told, and when.
        await page.GotoAsync($"/rotations/{rotation.Id}");
        await BrowserSession.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("detail-notified")).ToContainTextAsync("Notified");
        await ScreenshotAsync(page, "rotation-notified");
        _ = RotationStrategy.Staged;
    }
}
