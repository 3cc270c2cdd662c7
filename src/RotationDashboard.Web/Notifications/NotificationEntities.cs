namespace RotationDashboard.Web.Notifications;

public static class ChannelKinds
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Email = "email";
}

public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>
/// Where notifications go. <see cref="Settings"/> is JSON of the non-secret settings (<see cref="ChannelSettings"/>);
/// the one secret (webhook signing secret, Slack webhook URL, SMTP password) is in <see cref="EncryptedSecret"/>,
/// encrypted with the root key.
/// </summary>
public sealed class NotificationChannel
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Settings { get; set; } = "{}";

    public byte[]? EncryptedSecret { get; set; }

    public bool IsEnabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public List<NotificationSubscription> Subscriptions { get; set; } = [];
}

/// <summary>Non-secret channel settings, stored as JSON.</summary>
public sealed record ChannelSettings
{
    /// <summary>Webhook: the receiver's URL. Slack: only the host, for display (the URL itself is the secret).</summary>
    public string? Url { get; init; }

    public string? SmtpHost { get; init; }

    public int? SmtpPort { get; init; }

    /// <summary><c>starttls</c> (default, required), <c>tls</c> (implicit, port 465) or <c>none</c> (trusted relays only).</summary>
    public string? SmtpSecurity { get; init; }

    public string? SmtpUser { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }
}

/// <summary>A channel wants one event type, optionally only for one project, environment or rotation.</summary>
public sealed class NotificationSubscription
{
    public Guid Id { get; set; }

    public Guid ChannelId { get; set; }

    public string EventType { get; set; } = "";

    public Guid? ProjectId { get; set; }

    public string? Environment { get; set; }

    public Guid? RotationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The outbox: one row per occurrence. <see cref="OccurrenceKey"/> is unique (e.g. <c>run-failed:&lt;run id&gt;</c>),
/// so an occurrence seen twice (a restart, two instances, an event and a scan) is recorded once.
/// </summary>
public sealed class NotificationOutboxEvent
{
    public Guid Id { get; set; }

    public string OccurrenceKey { get; set; } = "";

    public string Type { get; set; } = "";

    public Guid? RotationId { get; set; }

    /// <summary>The <see cref="Core.Notifications.NotificationEvent"/> as JSON (no secret: events carry none).</summary>
    public string Payload { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>One event to one channel, with its persisted retry schedule and the last attempt's outcome.</summary>
public sealed class NotificationDelivery
{
    public Guid Id { get; set; }

    public Guid EventId { get; set; }

    public Guid ChannelId { get; set; }

    public string Status { get; set; } = DeliveryStatuses.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    public long? LastDurationMs { get; set; }

    /// <summary>Scrubbed: a status line or exception type, never a URL with a token or a response body.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public NotificationOutboxEvent? Event { get; set; }

    public NotificationChannel? Channel { get; set; }
}

/// <summary>Cursors and remembered conditions of the event sources (key → UTC ticks).</summary>
public sealed class NotificationSourceState
{
    public string Key { get; set; } = "";

    public long Value { get; set; }
}
