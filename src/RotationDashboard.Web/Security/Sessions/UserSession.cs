namespace RotationDashboard.Web.Security.Sessions;

/// <summary>A signed-in browser session, kept server-side; its cookie holds only the id.</summary>
public sealed class UserSession
{
    public UserSession(string id, string subject, string userName, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        DateTimeOffset absoluteExpiresAt, byte[] ticket)
    {
        Id = id;
        Subject = subject;
        UserName = userName;
        CreatedAt = createdAt;
        LastSeenAt = createdAt;
        ExpiresAt = expiresAt;
        AbsoluteExpiresAt = absoluteExpiresAt;
        Ticket = ticket;
    }

    public string Id { get; private set; }

    /// <summary>The identity provider's <c>sub</c>.</summary>
    public string Subject { get; private set; }

    /// <summary>How lists and the audit log name the user (verified e-mail, else the subject).</summary>
    public string UserName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the sliding lifetime was last renewed (not every request).</summary>
    public DateTimeOffset LastSeenAt { get; private set; }

    /// <summary>The sliding expiry, never later than <see cref="AbsoluteExpiresAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset AbsoluteExpiresAt { get; private set; }

    /// <summary>The authentication ticket, serialized and protected with data protection.</summary>
    public byte[] Ticket { get; private set; }

    public bool IsActiveAt(DateTimeOffset now) => now < ExpiresAt && now < AbsoluteExpiresAt;

    public void Renew(byte[] ticket, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        Ticket = ticket;
        ExpiresAt = expiresAt < AbsoluteExpiresAt ? expiresAt : AbsoluteExpiresAt;
        LastSeenAt = now;
    }
}
