using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Audit;

public sealed class AuditLogService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider) : IAuditLog
{
    public async Task WriteAsync(
        Actor actor,
        string action,
        AuditTarget target,
        AuditOutcome outcome,
        string? details = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), actor, action, target, outcome, details));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<PagedResult<AuditEventView>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var events = db.AuditEvents.AsNoTracking();

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var text = query.Actor.Trim();
            var separator = text.IndexOf(':');
            if (separator > 0 && Enum.TryParse<ActorType>(text[..separator], ignoreCase: true, out var actorType))
            {
                var namePattern = ContainsPattern(text[(separator + 1)..]);
                events = events.Where(e => e.ActorType == actorType && EF.Functions.Like(e.ActorName.ToLower(), namePattern, LikeEscape));
            }
            else
            {
                var pattern = ContainsPattern(text);
                events = events.Where(e => EF.Functions.Like(e.ActorName.ToLower(), pattern, LikeEscape));
            }
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var pattern = ContainsPattern(query.Action.Trim());
            events = events.Where(e => EF.Functions.Like(e.Action.ToLower(), pattern, LikeEscape));
        }

        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim();
            var pattern = ContainsPattern(target);
            events = events.Where(e =>
                e.TargetId == target
                || EF.Functions.Like(e.TargetName!.ToLower(), pattern, LikeEscape)
                || EF.Functions.Like(e.TargetType.ToLower(), pattern, LikeEscape));
        }

        if (query.Outcome is { } outcome)
        {
            events = events.Where(e => e.Outcome == outcome);
        }

        if (query.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (query.To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        var total = await events.CountAsync(cancellationToken);
        var items = await events
            .OrderByDescending(e => e.OccurredAt)
            .ThenByDescending(e => e.Id)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, AuditQuery.MaxTake))
            .Select(e => new AuditEventView(
                e.Id, e.OccurredAt, e.ActorType, e.ActorName, e.Action, e.TargetType, e.TargetId, e.TargetName, e.Outcome, e.Details))
            .ToListAsync(cancellationToken);
        return new PagedResult<AuditEventView>(items, total);
    }

    private const string LikeEscape = "\\";

    /// <summary>A case-insensitive "contains" pattern, compared with the lower-cased column on both providers.</summary>
    private static string ContainsPattern(string text) =>
        "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
