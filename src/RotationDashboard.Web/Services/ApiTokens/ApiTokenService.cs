using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;

namespace RotationDashboard.Web.Services.ApiTokens;

/// <summary>An API token as lists show it (never the value or its hash).</summary>
public sealed record ApiTokenView(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<ApiTokenScope> Scopes,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A token that authenticated a request: who it is and what it may do.</summary>
public sealed record AuthenticatedApiToken(Guid Id, string Name, IReadOnlyList<ApiTokenScope> Scopes)
{
    public bool Allows(string permission, Guid? projectId = null, string? environment = null, string? secretPath = null) =>
        Scopes.Any(s => s.Allows(permission, projectId, environment, secretPath));
}

/// <summary>Creates, lists, revokes and checks API tokens. Only hashes are stored; the value is shown once.</summary>
public sealed partial class ApiTokenService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    TimeProvider timeProvider,
    ILogger<ApiTokenService> logger) : IApiTokenAdministration
{
    // Checked tokens are kept briefly so the consumer read API's hot path does not hit the database per request;
    // a revoke in this process drops the entry at once.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, CachedToken> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(cancellationToken);
        return tokens.OrderByDescending(t => t.CreatedAt).Select(ToView).ToList();
    }

    public async Task<OperationResult<IssuedApiToken>> CreateAsync(
        string name,
        IReadOnlyList<ApiTokenScope> scopes,
        DateTimeOffset? expiresAt,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("create API tokens");
        var now = timeProvider.GetUtcNow();
        var errors = ApiToken.Validate(name, scopes, expiresAt, now);
        if (errors.HasErrors) return OperationResult<IssuedApiToken>.Invalid(errors);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var trimmed = name.Trim();
        if (await db.ApiTokens.AnyAsync(t => t.Name == trimmed && t.RevokedAt == null, cancellationToken))
        {
            return OperationResult<IssuedApiToken>.Invalid("name", $"An active token named \"{trimmed}\" already exists.");
        }

        var issued = ApiToken.Issue(trimmed, scopes, user.Actor.ToString(), expiresAt, now);
        db.ApiTokens.Add(issued.Token);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ApiTokenCreate,
            AuditTarget.ApiToken(issued.Token.Id, issued.Token.Name), AuditOutcome.Success,
            $"Permissions: {Describe(scopes)}; expires {(expiresAt is null ? "never" : expiresAt.Value.ToString("u"))}."));
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logger, issued.Token.Name, issued.Token.Prefix);
        return OperationResult.Success(issued);
    }

    public async Task<OperationResult> RevokeAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        user.EnsureAdmin("revoke API tokens");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null) return OperationResult.NotFound("The API token does not exist.");
        if (token.RevokedAt is not null) return OperationResult.Success();

        var now = timeProvider.GetUtcNow();
        token.Revoke(now);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.ApiTokenRevoke,
            AuditTarget.ApiToken(token.Id, token.Name), AuditOutcome.Success));
        await db.SaveChangesAsync(cancellationToken);
        _cache.TryRemove(token.TokenHash, out _);
        LogRevoked(logger, token.Name, token.Prefix);
        return OperationResult.Success();
    }

    /// <summary>The token a presented value belongs to, when it exists, is not revoked and has not expired.</summary>
    public async Task<AuthenticatedApiToken?> AuthenticateAsync(string presentedValue, CancellationToken cancellationToken = default)
    {
        if (!presentedValue.StartsWith(ApiToken.ValuePrefix, StringComparison.Ordinal) || presentedValue.Length > 128)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        var hash = ApiToken.Hash(presentedValue);
        if (_cache.TryGetValue(hash, out var cached) && cached.CheckedAt + CacheLifetime > now)
        {
            return cached.IsActiveAt(now) ? cached.Token : null;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null || !token.Matches(presentedValue))
        {
            return null;
        }

        if (token.IsActive(now) && (token.LastUsedAt is null || token.LastUsedAt + LastUsedResolution < now))
        {
            token.MarkUsed(now);
            await db.SaveChangesAsync(cancellationToken);
        }

        var authenticated = new AuthenticatedApiToken(token.Id, token.Name, token.Scopes);
        _cache[hash] = new CachedToken(authenticated, now, token.ExpiresAt, token.RevokedAt);
        return token.IsActive(now) ? authenticated : null;
    }

    public static string Describe(IEnumerable<ApiTokenScope> scopes) => string.Join(", ", scopes.Select(s =>
        s.ProjectId is null && s.Environment is null && s.SecretPath is null
            ? s.Permission
            : $"{s.Permission} ({string.Join(" ", new[] { s.Environment, s.SecretPath }.Where(x => x is not null))})"));

    private static ApiTokenView ToView(ApiToken t) =>
        new(t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private sealed record CachedToken(AuthenticatedApiToken Token, DateTimeOffset CheckedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
    {
        public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API token {Name} ({Prefix}…) created")]
    private static partial void LogCreated(ILogger logger, string name, string prefix);

    [LoggerMessage(Level = LogLevel.Information, Message = "API token {Name} ({Prefix}…) revoked")]
    private static partial void LogRevoked(ILogger logger, string name, string prefix);
}
