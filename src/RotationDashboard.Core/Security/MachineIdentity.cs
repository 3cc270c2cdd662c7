using System.Security.Cryptography;
using System.Text;
using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Security;

/// <summary>
/// A service's identity for Universal Auth (Infisical's client id + client secret login): scopes like an API token's,
/// client secrets stored hashed, and short-lived access tokens it trades them for. Revoking the identity ends all of
/// its secrets and tokens.
/// </summary>
public sealed class MachineIdentity
{
    public const int MaxNameLength = 64;
    public const int MinAccessTokenTtlSeconds = 60;

    /// <summary>Access tokens are short-lived on purpose: a day at most per token, renewable up to 30 days.</summary>
    public const int MaxAccessTokenTtlSeconds = 86_400;
    public const int MaxAccessTokenMaxTtlSeconds = 30 * 86_400;
    public const int DefaultAccessTokenTtlSeconds = 3_600;
    public const int DefaultAccessTokenMaxTtlSeconds = 86_400;

    private MachineIdentity()
    {
        Name = string.Empty;
        ClientId = string.Empty;
        CreatedBy = string.Empty;
        Scopes = [];
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>The public half of the login (a UUID, as upstream).</summary>
    public string ClientId { get; private set; }

    public IReadOnlyList<ApiTokenScope> Scopes { get; private set; }

    /// <summary>Lifetime of an access token at login and after each renewal.</summary>
    public int AccessTokenTtlSeconds { get; private set; }

    /// <summary>How long after login an access token can live at most, renewals included.</summary>
    public int AccessTokenMaxTtlSeconds { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActive => RevokedAt is null;

    public static ValidationErrors Validate(string? name, IReadOnlyList<ApiTokenScope>? scopes, int accessTokenTtlSeconds, int accessTokenMaxTtlSeconds)
    {
        var errors = new ValidationErrors();
        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            errors.Add("name", "Name is required.");
        }
        else if (trimmed.Length > MaxNameLength)
        {
            errors.Add("name", $"Name must be at most {MaxNameLength} characters.");
        }
        else if (ApiToken.ReservedNames.Contains(trimmed))
        {
            errors.Add("name", $"\"{trimmed}\" is reserved for the dashboard's own actors. Choose another name.");
        }

        errors.Merge(ApiTokenScope.Validate(scopes));
        if (accessTokenTtlSeconds is < MinAccessTokenTtlSeconds or > MaxAccessTokenTtlSeconds)
        {
            errors.Add("accessTokenTTL", $"accessTokenTTL must be between {MinAccessTokenTtlSeconds} and {MaxAccessTokenTtlSeconds} seconds.");
        }

        if (accessTokenMaxTtlSeconds is < MinAccessTokenTtlSeconds or > MaxAccessTokenMaxTtlSeconds)
        {
            errors.Add("accessTokenMaxTTL", $"accessTokenMaxTTL must be between {MinAccessTokenTtlSeconds} and {MaxAccessTokenMaxTtlSeconds} seconds.");
        }
        else if (accessTokenMaxTtlSeconds < accessTokenTtlSeconds)
        {
            errors.Add("accessTokenMaxTTL", "accessTokenMaxTTL must be at least accessTokenTTL.");
        }

        return errors;
    }

    /// <exception cref="DomainValidationException">Name, scopes or lifetimes are invalid.</exception>
    public static MachineIdentity Create(
        string name,
        IReadOnlyList<ApiTokenScope> scopes,
        int accessTokenTtlSeconds,
        int accessTokenMaxTtlSeconds,
        string createdBy,
        DateTimeOffset now)
    {
        Validate(name, scopes, accessTokenTtlSeconds, accessTokenMaxTtlSeconds).ThrowIfAny();
        ArgumentException.ThrowIfNullOrWhiteSpace(createdBy);
        return new MachineIdentity
        {
            Id = Guid.NewGuid(),
            Name = name.Trim(),
            ClientId = Guid.NewGuid().ToString(),
            Scopes = scopes.ToList(),
            AccessTokenTtlSeconds = accessTokenTtlSeconds,
            AccessTokenMaxTtlSeconds = accessTokenMaxTtlSeconds,
            CreatedAt = now.ToUniversalTime(),
            CreatedBy = createdBy,
        };
    }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now.ToUniversalTime();

    /// <summary>How audit entries and claims name the identity (never mistaken for an API token's name).</summary>
    public static string ActorName(string identityName) => "identity:" + identityName;

    public override string ToString() => $"MachineIdentity {Name} ({ClientId})";
}

/// <summary>A newly created client secret and its value, shown once. <see cref="ToString"/> hides the value.</summary>
public sealed record IssuedClientSecret(MachineIdentityClientSecret Secret, string Value)
{
    public override string ToString() => $"IssuedClientSecret {{ Id = {Secret.Id}, Prefix = {Secret.Prefix}, Value = [redacted] }}";
}

/// <summary>One client secret of a machine identity: only its SHA-256 is stored (256 random bits, so no salt is needed).</summary>
public sealed class MachineIdentityClientSecret
{
    public const string ValuePrefix = "rdcs_";
    public const int DisplayPrefixLength = 13;
    public const int MaxDescriptionLength = 256;

    private MachineIdentityClientSecret()
    {
        Prefix = string.Empty;
        SecretHash = string.Empty;
        Description = string.Empty;
        CreatedBy = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid IdentityId { get; private set; }

    public string Prefix { get; private set; }

    public string SecretHash { get; private set; }

    public string Description { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public static ValidationErrors Validate(string? description, int? ttlSeconds)
    {
        var errors = new ValidationErrors();
        if (description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"Description must be at most {MaxDescriptionLength} characters.");
        }

        if (ttlSeconds is < 0)
        {
            errors.Add("ttl", "ttl must be 0 (never expires) or a number of seconds.");
        }

        return errors;
    }

    /// <summary>A new secret; <paramref name="ttlSeconds"/> 0 or null never expires (as upstream).</summary>
    public static IssuedClientSecret Issue(Guid identityId, string? description, int? ttlSeconds, string createdBy, DateTimeOffset now)
    {
        Validate(description, ttlSeconds).ThrowIfAny();
        var value = ValuePrefix + SecretTokens.NewValue();
        var secret = new MachineIdentityClientSecret
        {
            Id = Guid.NewGuid(),
            IdentityId = identityId,
            Prefix = value[..DisplayPrefixLength],
            SecretHash = ApiToken.Hash(value),
            Description = description?.Trim() ?? string.Empty,
            CreatedAt = now.ToUniversalTime(),
            CreatedBy = createdBy,
            ExpiresAt = ttlSeconds is > 0 ? now.ToUniversalTime().AddSeconds(ttlSeconds.Value) : null,
        };
        return new IssuedClientSecret(secret, value);
    }

    public bool Matches(string? presented) => SecretTokens.HashMatches(presented, SecretHash);

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void MarkUsed(DateTimeOffset now) => LastUsedAt = now.ToUniversalTime();

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now.ToUniversalTime();
}

/// <summary>A newly issued access token and its value. <see cref="ToString"/> hides the value.</summary>
public sealed record IssuedAccessToken(MachineIdentityAccessToken Token, string Value)
{
    public override string ToString() => $"IssuedAccessToken {{ Id = {Token.Id}, ExpiresAt = {Token.ExpiresAt:O}, Value = [redacted] }}";
}

/// <summary>
/// A short-lived bearer token from a Universal Auth login. Renewal extends it by the identity's TTL, never past the
/// max TTL counted from login; the value stays the same (as upstream).
/// </summary>
public sealed class MachineIdentityAccessToken
{
    public const string ValuePrefix = "rdat_";

    private MachineIdentityAccessToken()
    {
        TokenHash = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid IdentityId { get; private set; }

    public Guid ClientSecretId { get; private set; }

    public string TokenHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset MaxExpiresAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public static IssuedAccessToken Issue(MachineIdentity identity, Guid clientSecretId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var value = ValuePrefix + SecretTokens.NewValue();
        var utc = now.ToUniversalTime();
        var token = new MachineIdentityAccessToken
        {
            Id = Guid.NewGuid(),
            IdentityId = identity.Id,
            ClientSecretId = clientSecretId,
            TokenHash = ApiToken.Hash(value),
            CreatedAt = utc,
            ExpiresAt = utc.AddSeconds(identity.AccessTokenTtlSeconds),
            MaxExpiresAt = utc.AddSeconds(identity.AccessTokenMaxTtlSeconds),
        };
        return new IssuedAccessToken(token, value);
    }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;

    /// <summary>Seconds until the max TTL ends (upstream's <c>accessTokenMaxTTL</c>, counted from login).</summary>
    public int MaxTtlSeconds => (int)(MaxExpiresAt - CreatedAt).TotalSeconds;

    /// <summary>Extends the token by <paramref name="ttlSeconds"/>, capped at the max TTL. False when it cannot be renewed.</summary>
    public bool TryRenew(int ttlSeconds, DateTimeOffset now)
    {
        if (!IsActive(now) || MaxExpiresAt <= now)
        {
            return false;
        }

        var renewed = now.ToUniversalTime().AddSeconds(ttlSeconds);
        ExpiresAt = renewed < MaxExpiresAt ? renewed : MaxExpiresAt;
        return true;
    }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now.ToUniversalTime();
}

internal static class SecretTokens
{
    /// <summary>256 random bits as base64url (43 characters).</summary>
    public static string NewValue() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool HashMatches(string? presented, string storedHash)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ApiToken.Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
    }
}
