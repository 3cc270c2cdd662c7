using RotationDashboard.Testing;
using System.Text.Json;
using RotationDashboard.Core.Notifications;

namespace RotationDashboard.Core.Tests.Notifications;

[Trait(TestKind.Trait, TestKind.Unit)]
public class WebhookSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 4, 0, TimeSpan.Zero);

    [Fact]
    public void A_signature_verifies_with_the_same_secret_and_body_only()
    {
        const string body = """{"type":"rotation.run.failed.v1"}""";
        var header = WebhookSignature.Header("channel-secret", Now, body);
        Assert.Matches("^t=\\d+,v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify("channel-secret", header, body, Now));
        Assert.False(WebhookSignature.Verify("other-secret", header, body, Now));
        Assert.False(WebhookSignature.Verify("channel-secret", header, body + " ", Now));
        Assert.False(WebhookSignature.Verify("channel-secret", header.Replace("t=", "t=1", StringComparison.Ordinal), body, Now));
        Assert.False(WebhookSignature.Verify("channel-secret", null, body, Now));
        Assert.False(WebhookSignature.Verify("channel-secret", "garbage", body, Now));
    }

    [Fact]
    public void The_signature_covers_timestamp_dot_body_as_documented()
    {
        // HMAC-SHA256("k", "1700000000.{}") computed independently.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("k"u8.ToArray(), "1700000000.{}"u8.ToArray()));
        Assert.Equal(expected, WebhookSignature.Compute("k", 1700000000, "{}"));
    }

    [Fact]
    public void A_signature_outside_the_replay_window_is_refused()
    {
        var header = WebhookSignature.Header("s", Now, "{}");
        Assert.True(WebhookSignature.Verify("s", header, "{}", Now + TimeSpan.FromMinutes(4)));
        Assert.False(WebhookSignature.Verify("s", header, "{}", Now + TimeSpan.FromMinutes(6)));
        Assert.False(WebhookSignature.Verify("s", header, "{}", Now - TimeSpan.FromMinutes(6)));
        Assert.True(WebhookSignature.Verify("s", header, "{}", Now + TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30)));
    }
}

[Trait(TestKind.Trait, TestKind.Unit)]
public class NotificationPayloadTests
{
    private static readonly NotificationEvent Failed = new()
    {
        Id = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        Type = NotificationEventTypes.RunFailed,
        OccurredAt = new DateTimeOffset(2026, 12, 5, 10, 4, 0, TimeSpan.Zero),
        Summary = "Rotation billing <prod> failed",
        RotationId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
        RotationName = "billing",
        Environment = "prod",
        Reason = "Auth0 answered 500 & gave up",
        At = new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void The_webhook_body_has_the_versioned_type_id_time_and_data_without_empty_fields()
    {
        using var doc = JsonDocument.Parse(NotificationPayloads.Webhook(Failed, new Uri("https://dash.example/rotations/x")));
        var root = doc.RootElement;
        Assert.Equal("rotation.run.failed.v1", root.GetProperty("type").GetString());
        Assert.Equal(Failed.Id.ToString(), root.GetProperty("id").GetString());
        Assert.Equal("2026-12-05T10:04:00.0000000+00:00", root.GetProperty("occurredAt").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("billing", data.GetProperty("rotationName").GetString());
        Assert.Equal("Auth0 answered 500 & gave up", data.GetProperty("reason").GetString());
        Assert.Equal("https://dash.example/rotations/x", data.GetProperty("link").GetString());
        Assert.False(data.TryGetProperty("connectionId", out _));
        Assert.Equal(["at", "environment", "link", "reason", "rotationId", "rotationName", "summary"],
            data.EnumerateObject().Select(p => p.Name).Order().ToArray());
    }

    [Fact]
    public void The_slack_message_has_a_text_fallback_and_a_mrkdwn_section_with_reason_next_attempt_and_link()
    {
        using var doc = JsonDocument.Parse(NotificationPayloads.Slack(Failed, new Uri("https://dash.example/rotations/x")));
        var root = doc.RootElement;
        Assert.Equal("Rotation billing <prod> failed", root.GetProperty("text").GetString());
        var block = Assert.Single(root.GetProperty("blocks").EnumerateArray());
        Assert.Equal("section", block.GetProperty("type").GetString());
        Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
        var text = block.GetProperty("text").GetProperty("text").GetString()!;
        Assert.StartsWith("*Rotation billing &lt;prod&gt; failed*", text, StringComparison.Ordinal);
        Assert.Contains("Reason: Auth0 answered 500 &amp; gave up", text, StringComparison.Ordinal);
        Assert.Contains("Next attempt: 2026-12-06 03:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains("<https://dash.example/rotations/x|Open the rotation>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_email_has_a_subject_and_a_plain_text_body()
    {
        Assert.Equal("[Rotation Dashboard] Rotation billing <prod> failed", NotificationPayloads.EmailSubject(Failed));
        var text = NotificationPayloads.EmailText(Failed, null);
        Assert.Contains("Next attempt: 2026-12-06 03:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains("Event: rotation.run.failed.v1", text, StringComparison.Ordinal);
    }
}

[Trait(TestKind.Trait, TestKind.Unit)]
public class NotificationBackoffAndFilterTests
{
    [Fact]
    public void Backoff_doubles_from_the_base_and_stops_at_the_cap()
    {
        var b = TimeSpan.FromSeconds(30);
        var max = TimeSpan.FromMinutes(5);
        Assert.Equal([30, 60, 120, 240, 300, 300], Enumerable.Range(1, 6).Select(a => NotificationBackoff.After(a, b, max).TotalSeconds).ToArray());
        Assert.Equal(max, NotificationBackoff.After(1000, b, max));
    }

    [Fact]
    public void Filters_match_type_and_each_given_scope()
    {
        var project = Guid.NewGuid();
        var rotation = Guid.NewGuid();
        var e = new NotificationEvent
        {
            Id = Guid.NewGuid(), Type = NotificationEventTypes.RunFailed, OccurredAt = DateTimeOffset.UnixEpoch, Summary = "x",
            ProjectId = project, Environment = "prod", RotationId = rotation,
        };
        Assert.True(NotificationFilter.Matches(e, NotificationEventTypes.RunFailed, null, null, null));
        Assert.True(NotificationFilter.Matches(e, NotificationEventTypes.RunFailed, project, "PROD", rotation));
        Assert.False(NotificationFilter.Matches(e, NotificationEventTypes.RunSucceeded, null, null, null));
        Assert.False(NotificationFilter.Matches(e, NotificationEventTypes.RunFailed, Guid.NewGuid(), null, null));
        Assert.False(NotificationFilter.Matches(e, NotificationEventTypes.RunFailed, null, "dev", null));
        Assert.False(NotificationFilter.Matches(e, NotificationEventTypes.RunFailed, null, null, Guid.NewGuid()));
    }
}
