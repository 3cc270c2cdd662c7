using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Security.Sessions;

/// <summary>A session as the admin list shows it (never the ticket).</summary>
public sealed record UserSessionView(string Id, string Subject, string UserName, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt);

/// <summary>What a live session's principal is worth now, under the current sign-in settings.</summary>
public enum SessionCheck
{
    /// <summary>Session exists and the role is unchanged.</summary>
    Valid,

    /// <summary>Session exists but the settings now give another role: the principal must be rebuilt.</summary>
    RoleChanged,

    /// <summary>Signed out, revoked, expired, or the user may no longer sign in.</summary>
    Ended,
}

/// <summary>Lists and revokes sessions, and re-decides a live session's role on each request and in open circuits.</summary>
public sealed partial class SessionService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    IOptionsMonitor<SignInOptions> signInOptions,
    TimeProvider timeProvider,
    ILogger<SessionService> logger) : ISessionAdministration
{
    public async Task<IReadOnlyList<UserSessionView>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sessions = await db.UserSessions.AsNoTracking().ToListAsync(cancellationToken);
        return sessions.Where(s => s.IsActiveAt(now))
            .OrderBy(s => s.UserName, StringComparer.OrdinalIgnoreCase).ThenByDescending(s => s.CreatedAt)
            .Select(s => new UserSessionView(s.Id, s.Subject, s.UserName, s.CreatedAt, s.LastSeenAt, s.ExpiresAt))
            .ToList();
    }

    /// <summary>Ends a session everywhere its cookie is used (Admin only); audited.</summary>
    /// <returns>False when no such session exists (already ended).</returns>
    public async Task<bool> RevokeAsync(string sessionId, DashboardUser by, CancellationToken cancellationToken = default)
    {
        by.EnsureAdmin("revoke sessions");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.UserSessions.FindAsync([sessionId], cancellationToken);
        if (session is null)
        {
            return false;
        }

        db.UserSessions.Remove(session);
        db.AuditEvents.Add(AuditEvent.Record(timeProvider.GetUtcNow(), by.Actor, AuditActions.SessionRevoke,
            new AuditTarget(AuditTargetTypes.Session, session.Subject, session.UserName), AuditOutcome.Success,
            $"Session of {session.UserName} (subject {session.Subject}) revoked."));
        await db.SaveChangesAsync(cancellationToken);
        LogRevoked(logger, session.UserName, by.Actor.ToString());
        return true;
    }

    /// <summary>Whether the session still exists and has not expired.</summary>
    public async Task<bool> IsActiveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.UserSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        return session is not null && session.IsActiveAt(now);
    }

    /// <summary>Re-decides the principal's role under the current settings (admins and allow-lists may have changed).</summary>
    public SignInDecision Redecide(ClaimsPrincipal principal, out SessionCheck check)
    {
        var decision = RoleAssignment.Decide(signInOptions.CurrentValue, principal);
        check = !decision.Allowed ? SessionCheck.Ended
            : principal.HasClaim(DashboardRoles.ClaimType, decision.Role!) ? SessionCheck.Valid
            : SessionCheck.RoleChanged;
        return decision;
    }

    /// <summary>For an open circuit: still the same session with the same role? Otherwise the circuit signs out.</summary>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        var sessionId = principal.FindFirstValue(DatabaseTicketStore.SessionIdClaim);
        if (sessionId is null || !await IsActiveAsync(sessionId, cancellationToken))
        {
            return false;
        }

        Redecide(principal, out var check);
        return check == SessionCheck.Valid;
    }

    /// <summary>The same session's principal with <paramref name="role"/> in place of its old role claims.</summary>
    public static ClaimsPrincipal WithRole(ClaimsPrincipal principal, string role)
    {
        var identity = ((ClaimsIdentity)principal.Identity!).Clone();
        foreach (var old in identity.FindAll(c => c.Type is DashboardRoles.ClaimType || c.Type == ClaimTypes.Role).ToList())
        {
            identity.RemoveClaim(old);
        }
        identity.AddClaim(new Claim(DashboardRoles.ClaimType, role));
        identity.AddClaim(new Claim(ClaimTypes.Role, role));
        return new ClaimsPrincipal(identity);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session of {User} revoked by {Actor}")]
    private static partial void LogRevoked(ILogger logger, string user, string actor);
}
