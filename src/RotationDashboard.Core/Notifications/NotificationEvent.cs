using System.Text.Json.Serialization;

namespace RotationDashboard.Core.Notifications;

/// <summary>
/// One occurrence of something people should hear about. Carries ids, names, statuses and scrubbed messages only:
/// never a secret value (the payload builders add nothing else).
/// </summary>
public sealed record NotificationEvent
{
    public required Guid Id { get; init; }

    /// <summary>One of <see cref="NotificationEventTypes"/>.</summary>
    public required string Type { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>One line for people (Slack text, e-mail subject).</summary>
    public required string Summary { get; init; }

    public Guid? RotationId { get; init; }

    public string? RotationName { get; init; }

    public Guid? ProjectId { get; init; }

    public string? Environment { get; init; }

    public Guid? ConnectionId { get; init; }

    public string? ConnectionName { get; init; }

    public Guid? RunId { get; init; }

    /// <summary>The reason (a scrubbed message), when there is one.</summary>
    public string? Reason { get; init; }

    /// <summary>Failed runs in a row (a paused rotation's count).</summary>
    public int? FailureCount { get; init; }

    /// <summary>Next attempt, due date or expiry, depending on the type.</summary>
    public DateTimeOffset? At { get; init; }

    [JsonIgnore]
    public bool IsTest => Type == NotificationEventTypes.Test;
}
