using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Security.Sessions;

/// <summary>
/// Keeps sign-in sessions in the database; the cookie carries only the session id. Removing a row ends the session for
/// every copy of its cookie. The ticket is protected with data protection, whose keys the root key encrypts. Enforces
/// the absolute lifetime, which the cookie handler's sliding expiry alone would extend forever.
/// </summary>
public sealed partial class DatabaseTicketStore(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    IDataProtectionProvider dataProtection,
    IOptionsMonitor<SignInOptions> signInOptions,
    TimeProvider timeProvider,
    ILogger<DatabaseTicketStore> logger) : ITicketStore
{
    /// <summary>The session's row id inside its own principal, so open circuits can ask whether it still exists.</summary>
    public const string SessionIdClaim = "rotation_dashboard/session";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("RotationDashboard.Sessions.Ticket.v1");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var key = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var id = RowId(key);
        var absoluteExpiry = now.AddHours(signInOptions.CurrentValue.AbsoluteSessionHours);
        if (ticket.Principal.Identity is ClaimsIdentity identity)
        {
            foreach (var stale in identity.FindAll(SessionIdClaim).ToList())
            {
                identity.RemoveClaim(stale);
            }
            identity.AddClaim(new Claim(SessionIdClaim, id));
        }

        var expiry = CapExpiry(ticket, absoluteExpiry, now);
        var session = new UserSession(id, ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown",
            DashboardUser.UserName(ticket.Principal), now, expiry, absoluteExpiry, Protect(ticket));

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // Expired sessions are useless: drop them while we are writing anyway.
        await db.UserSessions.Where(s => s.ExpiresAt <= now || s.AbsoluteExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        LogStored(logger, session.UserName, absoluteExpiry);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.UserSessions.FindAsync([RowId(key)], cancellationToken);
        if (session is null)
        {
            // Revoked meanwhile: a renewal must not bring it back.
            return;
        }

        var expiry = CapExpiry(ticket, session.AbsoluteExpiresAt, now);
        session.Renew(Protect(ticket), expiry, now);
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var id = RowId(key);
        var session = await db.UserSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (!session.IsActiveAt(timeProvider.GetUtcNow()))
        {
            await db.UserSessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
            LogExpired(logger, session.UserName);
            return null;
        }

        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(session.Ticket));
        }
        catch (CryptographicException)
        {
            // Keys lost or replaced: the user signs in again.
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var id = RowId(key);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.UserSessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The cookie's own expiry never outlives the absolute lifetime either.</summary>
    private static DateTimeOffset CapExpiry(AuthenticationTicket ticket, DateTimeOffset absoluteExpiry, DateTimeOffset now)
    {
        var expiry = ticket.Properties.ExpiresUtc ?? now.AddMinutes(30);
        if (expiry > absoluteExpiry)
        {
            expiry = absoluteExpiry;
        }
        ticket.Properties.ExpiresUtc = expiry;
        return expiry;
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    /// <summary>
    /// The row holds a hash of the cookie's key, so the id that lists, the API and circuits use is not the key itself.
    /// </summary>
    private static string RowId(string key) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session started for {User}; it ends at the latest at {AbsoluteExpiry:O}")]
    private static partial void LogStored(ILogger logger, string user, DateTimeOffset absoluteExpiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session of {User} expired")]
    private static partial void LogExpired(ILogger logger, string user);
}
