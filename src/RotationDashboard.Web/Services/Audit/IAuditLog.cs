using RotationDashboard.Core.Audit;

namespace RotationDashboard.Web.Services.Audit;

/// <summary>
/// Filters for the audit log. Text filters are case-insensitive "contains" matches; <see cref="Actor"/> also
/// accepts the <c>type:name</c> form (<c>user:ada</c>). <see cref="From"/> is inclusive, <see cref="To"/> exclusive.
/// </summary>
public sealed record AuditQuery
{
    public const int MaxTake = 500;

    public string? Actor { get; init; }

    public string? Action { get; init; }

    /// <summary>Matches the target's name or type (contains), or its id (exact).</summary>
    public string? Target { get; init; }

    public AuditOutcome? Outcome { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 50;
}

/// <summary>An audit entry as the UI and API show it.</summary>
public sealed record AuditEventView(
    long Id,
    DateTimeOffset OccurredAt,
    ActorType ActorType,
    string ActorName,
    string Action,
    string TargetType,
    string? TargetId,
    string? TargetName,
    AuditOutcome Outcome,
    string? Details)
{
    public string Actor => $"{ActorType.ToString().ToLowerInvariant()}:{ActorName}";
}

/// <summary>
/// The audit log. Services that change data add their <see cref="AuditEvent"/> to the same SaveChanges as the
/// change; <see cref="WriteAsync"/> is for events with no other change (sign-in, denied requests).
/// </summary>
public interface IAuditLog
{
    Task WriteAsync(
        Actor actor,
        string action,
        AuditTarget target,
        AuditOutcome outcome,
        string? details = null,
        CancellationToken cancellationToken = default);

    /// <summary>Newest first, filtered and paged on the server.</summary>
    Task<PagedResult<AuditEventView>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
