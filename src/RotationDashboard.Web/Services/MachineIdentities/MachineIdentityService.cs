using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.ApiTokens;

namespace RotationDashboard.Web.Services.MachineIdentities;

/// <summary>A client secret as lists show it (never the value or its hash).</summary>
public sealed record ClientSecretView(
    Guid Id,
    Guid IdentityId,
    string Prefix,
    string Description,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A machine identity as lists show it.</summary>
public sealed record MachineIdentityView(
    Guid Id,
    string Name,
    string ClientId,
    IReadOnlyList<ApiTokenScope> Scopes,
    int AccessTokenTtlSeconds,
    int AccessTokenMaxTtlSeconds,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    IReadOnlyList<ClientSecretView> ClientSecrets);

/// <summary>What a login or a renewal answers (upstream's shape); <see cref="ToString"/> hides the token.</summary>
public sealed record AccessTokenGrant(string AccessToken, int ExpiresIn, int AccessTokenMaxTtl)
{
    public override string ToString() => $"AccessTokenGrant {{ ExpiresIn = {ExpiresIn}, AccessTokenMaxTtl = {AccessTokenMaxTtl}, AccessToken = [redacted] }}";
}

/// <summary>An access token that authenticated a request: the identity behind it and what it may do.</summary>
public sealed record AuthenticatedMachineIdentity(Guid IdentityId, string Name, IReadOnlyList<ApiTokenScope> Scopes);

/// <summary>
/// Machine identities for Universal Auth: created and revoked by an Admin (audited), client secrets shown once and
/// stored hashed, logins that trade a client id and secret for a short-lived access token, renewals up to the max TTL.
/// </summary>
public sealed partial class MachineIdentityService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<MachineIdentityService> logger) : IMachineIdentityAdministration
{
    // Checked access tokens are kept briefly so secret reads do not hit the database per request; revocation in this
    // process clears the cache at once.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepExpiredTokens = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, CachedToken> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<MachineIdentityView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var identities = await db.MachineIdentities.AsNoTracking().ToListAsync(cancellationToken);
        var secrets = (await db.MachineIdentityClientSecrets.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(s => s.IdentityId);
        return identities.OrderByDescending(i => i.CreatedAt).Select(i => ToView(i, secrets[i.Id])).ToList();
    }

    public async Task<MachineIdentityView?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var identity = await db.MachineIdentities.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (identity is null) return null;
        var secrets = await db.MachineIdentityClientSecrets.AsNoTracking().Where(s => s.IdentityId == id).ToListAsync(cancellationToken);
        return ToView(identity, secrets);
    }

    public async Task<OperationResult<MachineIdentityView>> CreateAsync(
        string name,
        IReadOnlyList<ApiTokenScope> scopes,
        int? accessTokenTtlSeconds,
        int? accessTokenMaxTtlSeconds,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("create machine identities");
        var ttl = accessTokenTtlSeconds ?? MachineIdentity.DefaultAccessTokenTtlSeconds;
        var maxTtl = accessTokenMaxTtlSeconds ?? Math.Max(ttl, MachineIdentity.DefaultAccessTokenMaxTtlSeconds);
        var errors = MachineIdentity.Validate(name, scopes, ttl, maxTtl);
        if (errors.HasErrors) return OperationResult<MachineIdentityView>.Invalid(errors);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var trimmed = name.Trim();
        if (await db.MachineIdentities.AnyAsync(i => i.Name == trimmed && i.RevokedAt == null, cancellationToken))
        {
            return OperationResult<MachineIdentityView>.Invalid("name", $"An active machine identity named \"{trimmed}\" already exists.");
        }

        var now = timeProvider.GetUtcNow();
        var identity = MachineIdentity.Create(trimmed, scopes, ttl, maxTtl, user.Actor.ToString(), now);
        db.MachineIdentities.Add(identity);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.MachineIdentityCreate,
            AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Success,
            $"Client id {identity.ClientId}; permissions: {ApiTokenService.Describe(scopes)}; access token TTL {ttl}s, max TTL {maxTtl}s."));
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logger, identity.Name, identity.ClientId);
        return OperationResult.Success(ToView(identity, []));
    }

    /// <summary>Revokes the identity, its client secrets and its access tokens.</summary>
    public async Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("revoke machine identities");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var identity = await db.MachineIdentities.SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (identity is null) return OperationResult.NotFound("The machine identity does not exist.");
        if (!identity.IsActive) return OperationResult.Success();

        var now = timeProvider.GetUtcNow();
        identity.Revoke(now);
        foreach (var secret in await db.MachineIdentityClientSecrets.Where(s => s.IdentityId == id && s.RevokedAt == null).ToListAsync(cancellationToken))
        {
            secret.Revoke(now);
        }

        foreach (var token in await db.MachineIdentityAccessTokens.Where(t => t.IdentityId == id && t.RevokedAt == null).ToListAsync(cancellationToken))
        {
            token.Revoke(now);
        }

        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.MachineIdentityRevoke,
            AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Success, "Its client secrets and access tokens are revoked too."));
        await db.SaveChangesAsync(cancellationToken);
        _cache.Clear();
        LogRevoked(logger, identity.Name, identity.ClientId);
        return OperationResult.Success();
    }

    public async Task<OperationResult<(IssuedClientSecret Issued, MachineIdentityView Identity)>> CreateClientSecretAsync(
        Guid identityId,
        string? description,
        int? ttlSeconds,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("create client secrets");
        var errors = MachineIdentityClientSecret.Validate(description, ttlSeconds);
        if (errors.HasErrors) return OperationResult<(IssuedClientSecret, MachineIdentityView)>.Invalid(errors);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var identity = await db.MachineIdentities.SingleOrDefaultAsync(i => i.Id == identityId, cancellationToken);
        if (identity is null) return OperationResult<(IssuedClientSecret, MachineIdentityView)>.NotFound("The machine identity does not exist.");
        if (!identity.IsActive)
        {
            return OperationResult<(IssuedClientSecret, MachineIdentityView)>.Conflict("The machine identity is revoked: create a new one.");
        }

        var now = timeProvider.GetUtcNow();
        var issued = MachineIdentityClientSecret.Issue(identityId, description, ttlSeconds, user.Actor.ToString(), now);
        db.MachineIdentityClientSecrets.Add(issued.Secret);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.MachineIdentityClientSecretCreate,
            AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Success,
            $"Client secret {issued.Secret.Prefix}… ({issued.Secret.Id}); expires {(issued.Secret.ExpiresAt is { } e ? e.ToString("u") : "never")}."));
        await db.SaveChangesAsync(cancellationToken);
        var secrets = await db.MachineIdentityClientSecrets.AsNoTracking().Where(s => s.IdentityId == identityId).ToListAsync(cancellationToken);
        return OperationResult.Success((issued, ToView(identity, secrets)));
    }

    /// <summary>Revokes a client secret and the access tokens it was traded for.</summary>
    public async Task<OperationResult<ClientSecretView>> RevokeClientSecretAsync(
        Guid identityId,
        Guid clientSecretId,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("revoke client secrets");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var secret = await db.MachineIdentityClientSecrets.SingleOrDefaultAsync(s => s.Id == clientSecretId && s.IdentityId == identityId, cancellationToken);
        var identity = await db.MachineIdentities.AsNoTracking().SingleOrDefaultAsync(i => i.Id == identityId, cancellationToken);
        if (secret is null || identity is null) return OperationResult<ClientSecretView>.NotFound("The client secret does not exist.");
        if (secret.RevokedAt is null)
        {
            var now = timeProvider.GetUtcNow();
            secret.Revoke(now);
            foreach (var token in await db.MachineIdentityAccessTokens.Where(t => t.ClientSecretId == clientSecretId && t.RevokedAt == null).ToListAsync(cancellationToken))
            {
                token.Revoke(now);
            }

            db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.MachineIdentityClientSecretRevoke,
                AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Success,
                $"Client secret {secret.Prefix}… ({secret.Id}) and its access tokens revoked."));
            await db.SaveChangesAsync(cancellationToken);
            _cache.Clear();
        }

        return OperationResult.Success(ToView(secret));
    }

    /// <summary>
    /// Universal Auth login. Unknown client ids, wrong, revoked or expired secrets all answer the same "invalid
    /// credentials" (null), so a caller cannot tell which part was wrong.
    /// </summary>
    public async Task<AccessTokenGrant?> LoginAsync(string clientId, string clientSecret, CancellationToken cancellationToken = default)
    {
        if (clientId.Length > 64 || clientSecret.Length > 128 || !clientSecret.StartsWith(MachineIdentityClientSecret.ValuePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var identity = await db.MachineIdentities.SingleOrDefaultAsync(i => i.ClientId == clientId, cancellationToken);
        if (identity is null || !identity.IsActive)
        {
            return null;
        }

        var hash = ApiToken.Hash(clientSecret);
        var secret = await db.MachineIdentityClientSecrets.SingleOrDefaultAsync(s => s.SecretHash == hash && s.IdentityId == identity.Id, cancellationToken);
        if (secret is null || !secret.Matches(clientSecret) || !secret.IsActive(now))
        {
            db.AuditEvents.Add(AuditEvent.Record(now, Actor.Token(MachineIdentity.ActorName(identity.Name)), AuditActions.MachineIdentityLogin,
                AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Denied, "Universal Auth login refused: invalid, revoked or expired client secret."));
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }

        secret.MarkUsed(now);
        var issued = MachineIdentityAccessToken.Issue(identity, secret.Id, now);
        db.MachineIdentityAccessTokens.Add(issued.Token);
        db.AuditEvents.Add(AuditEvent.Record(now, Actor.Token(MachineIdentity.ActorName(identity.Name)), AuditActions.MachineIdentityLogin,
            AuditTarget.MachineIdentity(identity.Id, identity.Name), AuditOutcome.Success,
            $"Access token {issued.Token.Id} issued with client secret {secret.Prefix}…; expires {issued.Token.ExpiresAt:u}."));
        await db.SaveChangesAsync(cancellationToken);

        // Old tokens are of no use once past their max TTL; keep the table small.
        var cutoff = now - KeepExpiredTokens;
        await db.MachineIdentityAccessTokens.Where(t => t.MaxExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        LogLogin(logger, identity.Name, issued.Token.Id);
        return new AccessTokenGrant(issued.Value, identity.AccessTokenTtlSeconds, issued.Token.MaxTtlSeconds);
    }

    /// <summary>Extends an active access token by its identity's TTL (capped at the max TTL); null when it cannot be renewed.</summary>
    public async Task<OperationResult<AccessTokenGrant>> RenewAsync(string accessToken, CancellationToken cancellationToken = default)
    {
        const string Invalid = "The access token is unknown, revoked or expired.";
        if (!accessToken.StartsWith(MachineIdentityAccessToken.ValuePrefix, StringComparison.Ordinal) || accessToken.Length > 128)
        {
            return OperationResult<AccessTokenGrant>.Invalid("accessToken", Invalid);
        }

        var now = timeProvider.GetUtcNow();
        var hash = ApiToken.Hash(accessToken);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.MachineIdentityAccessTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var identity = token is null ? null : await db.MachineIdentities.AsNoTracking().SingleOrDefaultAsync(i => i.Id == token.IdentityId, cancellationToken);
        if (token is null || identity is null || !identity.IsActive || !token.IsActive(now))
        {
            return OperationResult<AccessTokenGrant>.Invalid("accessToken", Invalid);
        }

        if (token.MaxExpiresAt <= now.AddSeconds(1) || !token.TryRenew(identity.AccessTokenTtlSeconds, now))
        {
            return OperationResult<AccessTokenGrant>.Invalid("accessToken", "The access token has reached its max TTL: log in again.");
        }

        await db.SaveChangesAsync(cancellationToken);
        _cache.TryRemove(hash, out _);
        return OperationResult.Success(new AccessTokenGrant(accessToken, (int)Math.Ceiling((token.ExpiresAt - now).TotalSeconds), token.MaxTtlSeconds));
    }

    /// <summary>The identity behind a presented access token, when the token and identity are active.</summary>
    public async Task<AuthenticatedMachineIdentity?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(MachineIdentityAccessToken.ValuePrefix, StringComparison.Ordinal) || presented.Length > 128)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        var hash = ApiToken.Hash(presented);
        if (_cache.TryGetValue(hash, out var cached) && cached.CheckedAt + CacheLifetime > now)
        {
            return cached.ExpiresAt > now ? cached.Identity : null;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.MachineIdentityAccessTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Join(db.MachineIdentities.Where(i => i.RevokedAt == null), t => t.IdentityId, i => i.Id, (t, i) => new { Token = t, Identity = i })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null || !found.Token.IsActive(now))
        {
            return null;
        }

        var authenticated = new AuthenticatedMachineIdentity(found.Identity.Id, found.Identity.Name, found.Identity.Scopes);
        _cache[hash] = new CachedToken(authenticated, now, found.Token.ExpiresAt);
        if (_cache.Count > 10_000)
        {
            foreach (var entry in _cache.Where(e => e.Value.CheckedAt + CacheLifetime <= now)) _cache.TryRemove(entry);
        }

        return authenticated;
    }

    private static MachineIdentityView ToView(MachineIdentity i, IEnumerable<MachineIdentityClientSecret> secrets) =>
        new(i.Id, i.Name, i.ClientId, i.Scopes, i.AccessTokenTtlSeconds, i.AccessTokenMaxTtlSeconds, i.CreatedBy, i.CreatedAt, i.RevokedAt,
            secrets.OrderByDescending(s => s.CreatedAt).Select(ToView).ToList());

    private static ClientSecretView ToView(MachineIdentityClientSecret s) =>
        new(s.Id, s.IdentityId, s.Prefix, s.Description, s.CreatedBy, s.CreatedAt, s.ExpiresAt, s.LastUsedAt, s.RevokedAt);

    private sealed record CachedToken(AuthenticatedMachineIdentity Identity, DateTimeOffset CheckedAt, DateTimeOffset ExpiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine identity {Name} ({ClientId}) created")]
    private static partial void LogCreated(ILogger logger, string name, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine identity {Name} ({ClientId}) revoked")]
    private static partial void LogRevoked(ILogger logger, string name, string clientId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Machine identity {Name} logged in (access token {TokenId})")]
    private static partial void LogLogin(ILogger logger, string name, Guid tokenId);
}
