using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RotationDashboard.Core.Notifications;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Sandbox;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Notifications;
using RotationDashboard.Web.Services.Rotations;
using RotationDashboard.Testing;
using RotationDashboard.Web.Tests.Infrastructure;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>
/// Notifications end to end in the real app: a failed run reaches a loopback webhook once, signed and without a secret;
/// a failing receiver is retried with backoff and then given up on; Slack and SMTP payloads; the address rules.
/// </summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class NotificationDeliveryTests(NotificationsAppFactory app) : IClassFixture<NotificationsAppFactory>
{
    private const string SigningSecret = "whsec-test-signing-secret-123";

    [Fact]
    public async Task A_failed_run_reaches_the_webhook_once_signed_with_reason_and_next_attempt_and_without_a_secret()
    {
        await using var receiver = new LoopbackReceiver();
        var channel = await CreateChannelAsync(new ChannelInput { Name = "hook-" + Guid.NewGuid().ToString("N")[..6], Kind = ChannelKinds.Webhook, Url = receiver.Url.ToString(), Secret = SigningSecret });
        Assert.True((await app.Center.SubscribeAsync(channel.Id, NotificationEventTypes.RunFailed, null, "dev", null, DashboardAppFactory.Ada)).Succeeded);
        var client = app.Sandbox.CreateClient("Notify failing", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("notify-failing", client.ClientId);

        app.Sandbox.AddFailure(new SandboxFailureRule("PATCH", "/api/v2/clients/*", 500, Times: 100));
        var run = await app.Get<RotationDashboard.Web.Application.Rotations.RotateNow>().ExecuteAsync(rotation.Id, RunTrigger.Api, DashboardAppFactory.Ada, waitForCompletion: true);
        app.Sandbox.ClearFaults();
        Assert.Equal("failed", run.Value.Rotation.RotationStatus);

        var request = await NotificationsAppFactory.EventuallyAsync(() => Task.FromResult(receiver.Requests.FirstOrDefault(r => r.Body.Contains(rotation.Id.ToString(), StringComparison.Ordinal))),
            r => r is not null, what: "the webhook call");
        Assert.Equal("POST", request!.Method);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal(NotificationEventTypes.RunFailed, request.Header(WebhookSignature.EventTypeHeader));
        Assert.True(WebhookSignature.Verify(SigningSecret, request.Header(WebhookSignature.HeaderName), request.Body, DateTimeOffset.UtcNow),
            "signature: " + request.Header(WebhookSignature.HeaderName));
        Assert.False(WebhookSignature.Verify("another-secret", request.Header(WebhookSignature.HeaderName), request.Body, DateTimeOffset.UtcNow));

        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(NotificationEventTypes.RunFailed, body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(rotation.Id.ToString(), data.GetProperty("rotationId").GetString());
        Assert.Equal("dev", data.GetProperty("environment").GetString());
        Assert.False(string.IsNullOrWhiteSpace(data.GetProperty("reason").GetString()));
        Assert.True(data.TryGetProperty("at", out _), "next attempt");
        Assert.EndsWith($"/rotations/{rotation.Id}", data.GetProperty("link").GetString(), StringComparison.Ordinal);

        // Never a secret: not the application's credential, not the channel's signing secret.
        Assert.DoesNotContain(client.ClientSecret!, request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningSecret, request.Body, StringComparison.Ordinal);
        Assert.All(request.Headers.Values, v => Assert.DoesNotContain(SigningSecret, v, StringComparison.Ordinal));

        // Exactly once: more scans, and a fresh instance of the event sources (as after a restart), record nothing new.
        var sources = app.Get<NotificationSources>();
        await sources.ScanAsync(CancellationToken.None);
        await sources.ScanAsync(CancellationToken.None);
        await ActivatorUtilities.CreateInstance<NotificationSources>(app.AppServices).ScanAsync(CancellationToken.None);
        await Task.Delay(1500);
        Assert.Single(receiver.Requests, r => r.Body.Contains(rotation.Id.ToString(), StringComparison.Ordinal));
        await using (var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(1, await db.NotificationEvents.CountAsync(e => e.RotationId == rotation.Id && e.Type == NotificationEventTypes.RunFailed));
        }

        var logged = Assert.Single(await app.Center.ListDeliveriesAsync(rotationId: rotation.Id), d => d.ChannelName == channel.Name);
        Assert.Equal((DeliveryStatuses.Delivered, 1, 200), (logged.Status, logged.Attempts, logged.LastStatusCode!.Value));
        Assert.NotNull(logged.LastDurationMs);
        Assert.NotNull(await app.Center.LatestForRotationAsync(rotation.Id));
    }

    [Fact]
    public async Task Due_soon_single_phase_auto_rotation_and_a_failed_connection_test_each_fire_exactly_once()
    {
        var client = app.Sandbox.CreateClient("Notify single", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("notify-single", client.ClientId, RotationStrategy.SinglePhase);
        var connectionId = rotation.ConnectionId;
        app.Sandbox.AddFailure(new SandboxFailureRule("POST", "/oauth/token", 401, Times: 10));
        var test = await app.Get<RotationDashboard.Web.Application.Connections.ValidateConnection>().ExecuteAsync(connectionId, DashboardAppFactory.Ada);
        app.Sandbox.ClearFaults();
        Assert.False(test.Value.Ok);

        var sources = app.Get<NotificationSources>();
        await sources.ScanAsync(CancellationToken.None);
        await sources.ScanAsync(CancellationToken.None);
        await ActivatorUtilities.CreateInstance<NotificationSources>(app.AppServices).ScanAsync(CancellationToken.None);

        await using var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        var types = await db.NotificationEvents.Where(e => e.RotationId == rotation.Id).Select(e => e.Type).ToListAsync();
        Assert.Equal(1, types.Count(t => t == NotificationEventTypes.SinglePhaseAutoRotation));
        Assert.Equal(1, types.Count(t => t == NotificationEventTypes.RotationDue));
        var connectionEvents = (await db.NotificationEvents.Where(e => e.Type == NotificationEventTypes.ConnectionTestFailed).ToListAsync())
            .Select(NotificationOutbox.Read).Where(e => e.ConnectionId == connectionId).ToList();
        var failedTest = Assert.Single(connectionEvents);
        Assert.False(string.IsNullOrWhiteSpace(failedTest.Reason));
    }

    [Fact]
    public async Task A_receiver_answering_500_is_retried_with_growing_delays_then_given_up_logged_and_retried_by_hand()
    {
        await using var receiver = new LoopbackReceiver { Status = 500 };
        var channel = await CreateChannelAsync(new ChannelInput { Name = "flaky-" + Guid.NewGuid().ToString("N")[..6], Kind = ChannelKinds.Webhook, Url = receiver.Url.ToString() });
        await app.Center.SubscribeAsync(channel.Id, NotificationEventTypes.RotationPaused, null, null, null, DashboardAppFactory.Ada);
        var marker = Guid.NewGuid();
        Assert.True(await app.Get<NotificationOutbox>().EnqueueAsync($"test-retry:{marker:N}", new NotificationEvent
        {
            Id = Guid.NewGuid(), Type = NotificationEventTypes.RotationPaused, OccurredAt = DateTimeOffset.UtcNow, Summary = "retry " + marker, RotationId = marker,
        }, CancellationToken.None));

        var delivery = await NotificationsAppFactory.EventuallyAsync(async () => (await app.Center.ListDeliveriesAsync(rotationId: marker)).Single(),
            d => d.Status == DeliveryStatuses.Failed, TimeSpan.FromSeconds(20), "the delivery to be given up");
        Assert.Equal((3, 500), (delivery.Attempts, delivery.LastStatusCode!.Value));
        Assert.Contains("HTTP 500", delivery.LastError, StringComparison.Ordinal);
        var calls = receiver.Requests.Where(r => r.Body.Contains(marker.ToString(), StringComparison.Ordinal)).Select(r => r.At).ToList();
        Assert.Equal(3, calls.Count);
        // Backoff 0.4 s, then 0.8 s (the poll adds up to 0.1 s).
        Assert.InRange((calls[1] - calls[0]).TotalSeconds, 0.35, 3);
        Assert.InRange((calls[2] - calls[1]).TotalSeconds, 0.75, 4);
        Assert.True(calls[2] - calls[1] > calls[1] - calls[0], "delays grow");
        Assert.Contains(app.Logs.Entries, r => r.Level == LogLevel.Error && r.Message.Contains("Gave up delivering notification", StringComparison.Ordinal)
                                                                    && r.Message.Contains(channel.Name, StringComparison.Ordinal));

        // An admin retries once the receiver is fixed.
        receiver.Status = 204;
        Assert.True(await app.Center.RetryAsync(delivery.Id, DashboardAppFactory.Ada));
        await NotificationsAppFactory.EventuallyAsync(async () => (await app.Center.ListDeliveriesAsync(rotationId: marker)).Single(),
            d => d.Status == DeliveryStatuses.Delivered, what: "the retried delivery");
    }

    [Fact]
    public async Task A_slack_channel_gets_a_readable_message_and_its_url_is_kept_encrypted()
    {
        await using var receiver = new LoopbackReceiver();
        var slackUrl = new Uri(receiver.Url, "T000/B000/slack-token-XYZ").ToString();
        var channel = await CreateChannelAsync(new ChannelInput { Name = "slack-ops", Kind = ChannelKinds.Slack, Url = slackUrl });
        Assert.DoesNotContain("slack-token-XYZ", channel.Target, StringComparison.Ordinal);

        var attempt = await app.Center.SendTestAsync(channel.Id, DashboardAppFactory.Ada);
        Assert.True(attempt!.Succeeded, attempt.Error);
        var request = Assert.Single(receiver.Requests);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("Test notification from the Rotation Dashboard", body.RootElement.GetProperty("text").GetString());
        var block = Assert.Single(body.RootElement.GetProperty("blocks").EnumerateArray());
        Assert.Equal("section", block.GetProperty("type").GetString());
        Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("|Open the dashboard>", block.GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Null(request.Header(WebhookSignature.HeaderName));

        await using var db = await app.Get<IDbContextFactory<RotationDashboardDbContext>>().CreateDbContextAsync();
        var row = await db.NotificationChannels.AsNoTracking().SingleAsync(c => c.Id == channel.Id);
        Assert.DoesNotContain("slack-token-XYZ", row.Settings, StringComparison.Ordinal);
        Assert.DoesNotContain("slack-token-XYZ", System.Text.Encoding.UTF8.GetString(row.EncryptedSecret!), StringComparison.Ordinal);
        Assert.DoesNotContain(await db.AuditEvents.Select(a => a.Details ?? "").ToListAsync(), d => d.Contains("slack-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Email_goes_through_a_relay_and_starttls_or_tls_are_never_silently_dropped()
    {
        await using var smtp = new SmallSmtpServer(advertiseStartTls: false);
        ChannelInput Mail(string security) => new()
        {
            Name = "mail-" + security, Kind = ChannelKinds.Email, SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmtpSecurity = security,
            SmtpUser = "mailer", Secret = "smtp-password-123", From = "dashboard@example.com", To = "ops@example.com, oncall@example.com",
        };

        var relay = await CreateChannelAsync(Mail("none"));
        var sent = await app.Center.SendTestAsync(relay.Id, DashboardAppFactory.Ada);
        Assert.True(sent!.Succeeded, sent.Error);
        var message = Assert.Single(smtp.Messages);
        Assert.Contains("Subject: [Rotation Dashboard] Test notification from the Rotation Dashboard", message, StringComparison.Ordinal);
        Assert.Contains("ops@example.com", message, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp-password-123", message, StringComparison.Ordinal);

        // STARTTLS required (the default) but not offered: refused before any credential or message is sent.
        var starttls = await CreateChannelAsync(Mail("starttls"));
        var refused = await app.Center.SendTestAsync(starttls.Id, DashboardAppFactory.Ada);
        Assert.False(refused!.Succeeded);
        Assert.Contains("STARTTLS", refused.Error, StringComparison.Ordinal);

        // Implicit TLS against a plain-text server: the handshake fails, nothing is sent.
        var tls = await CreateChannelAsync(Mail("tls"));
        var failed = await app.Center.SendTestAsync(tls.Id, DashboardAppFactory.Ada);
        Assert.False(failed!.Succeeded);
        Assert.Single(smtp.Messages);
        Assert.Equal(1, smtp.Transcript.Count(l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase)));

        var log = await app.Center.ListDeliveriesAsync();
        Assert.Contains(log, d => d.ChannelName == "mail-starttls" && d.Status == DeliveryStatuses.Failed);
        Assert.DoesNotContain(log, d => (d.LastError ?? "").Contains("smtp-password-123", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://10.0.0.5/hook", "non-public")]
    [InlineData("http://localhost:9/hook", "non-public")]
    [InlineData("ftp://example.com/hook", "http(s)")]
    [InlineData("https://user:pass@example.com/hook", "user name")]
    public async Task Channel_urls_obey_the_outbound_address_rules(string url, string expected)
    {
        var result = await app.Center.CreateChannelAsync(new ChannelInput { Name = "bad", Kind = ChannelKinds.Webhook, Url = url }, DashboardAppFactory.Ada);
        Assert.False(result.Succeeded);
        Assert.Contains(expected, string.Join(" ", result.Failure!.Errors["url"]), StringComparison.Ordinal);
        Assert.DoesNotContain("user:pass", string.Join(" ", result.Failure.Errors["url"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_an_admin_changes_channels()
    {
        await Assert.ThrowsAsync<RotationDashboard.Web.Security.ForbiddenActionException>(() =>
            app.Center.CreateChannelAsync(new ChannelInput { Name = "x", Kind = ChannelKinds.Webhook, Url = "https://example.com" }, DashboardAppFactory.Victor));
    }

    [Fact]
    public async Task Metrics_appear_on_the_prometheus_endpoint_with_the_documented_names_after_a_run()
    {
        var client = app.Sandbox.CreateClient("Notify metrics", SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost);
        var rotation = await app.CreateRotationAsync("notify-metrics", client.ClientId);
        var run = await app.Get<RotationDashboard.Web.Application.Rotations.RotateNow>().ExecuteAsync(rotation.Id, RunTrigger.Api, DashboardAppFactory.Ada, waitForCompletion: true);
        Assert.True(run.Succeeded, run.ToString());
        await app.Get<NotificationSources>().ScanAsync(CancellationToken.None);
        await using var receiver = new LoopbackReceiver();
        var channel = await CreateChannelAsync(new ChannelInput { Name = "metrics-hook", Kind = ChannelKinds.Webhook, Url = receiver.Url.ToString() });
        await app.Center.SendTestAsync(channel.Id, DashboardAppFactory.Ada);

        using var http = new HttpClient { BaseAddress = app.Address };
        var text = await NotificationsAppFactory.EventuallyAsync(() => http.GetStringAsync("/metrics"),
            t => t.Contains("rotation_dashboard_runs_total{", StringComparison.Ordinal), what: "the run counter");
        foreach (var name in MetricNames)
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }

        Assert.Matches("rotation_dashboard_runs_total\\{[^}]*outcome=\"succeeded\"[^}]*strategy=\"Staged\"", text);
    }

    /// <summary>As listed in docs/observability.md.</summary>
    public static readonly string[] MetricNames =
    [
        "rotation_dashboard_runs_total",
        "rotation_dashboard_run_duration_seconds_bucket",
        "rotation_dashboard_run_step_duration_seconds_bucket",
        "rotation_dashboard_auth0_requests_total",
        "rotation_dashboard_auth0_request_duration_seconds_bucket",
        "rotation_dashboard_rotations_overdue",
        "rotation_dashboard_notification_deliveries_total",
    ];

    private async Task<ChannelView> CreateChannelAsync(ChannelInput input)
    {
        var result = await app.Center.CreateChannelAsync(input, DashboardAppFactory.Ada);
        Assert.True(result.Succeeded, result.Failure is { } f ? string.Join("; ", f.Errors.SelectMany(e => e.Value)) : "");
        return result.Value;
    }
}

/// <summary>Liveness and readiness for probes; readiness fails while the database is unavailable.</summary>
[Trait(TestKind.Trait, TestKind.Integration)]
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_and_ready_answer_and_ready_fails_while_the_database_is_unavailable()
    {
        await using var app = new NotificationsAppFactory();
        using var http = new HttpClient { BaseAddress = app.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var ready = await NotificationsAppFactory.EventuallyAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, what: "readiness");
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            var checks = body.RootElement.GetProperty("checks");
            Assert.Equal(["database", "engine", "scheduler"], checks.EnumerateObject().Select(c => c.Name).Order().ToArray());
            Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        }

        // The database file becomes unreadable (replaced by garbage): not ready, still live.
        var file = app.Get<DatabaseLocation>().DatabaseFile!;
        var aside = file + ".aside";
        SqliteConnection.ClearAllPools();
        File.Move(file, aside);
        await File.WriteAllTextAsync(file, new string('x', 4096));
        try
        {
            SqliteConnection.ClearAllPools();
            var down = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Contains("The database is unavailable.", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Move(aside, file, overwrite: true);
            SqliteConnection.ClearAllPools();
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
    }
}
