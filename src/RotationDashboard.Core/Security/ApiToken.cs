using System.Security.Cryptography;
using System.Text;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;

namespace RotationDashboard.Core.Security;

public static class ApiPermissions
{
    public const string RotationsRead = "rotations:read";
    public const string RotationsWrite = "rotations:write";

    /// <summary>Reveals a rotation's generated credentials (live Auth0 secrets): apart from rotations:write on purpose.</summary>
    public const string RotationsReveal = "rotations:reveal";
    public const string ConnectionsRead = "connections:read";
    public const string ConnectionsWrite = "connections:write";
    public const string SecretsRead = "secrets:read";

    public static IReadOnlyList<string> All { get; } =
        [RotationsRead, RotationsWrite, RotationsReveal, ConnectionsRead, ConnectionsWrite, SecretsRead];

    /// <summary>
    /// Permissions a token may limit to a project, environment and path. Connections are not: one connection serves the
    /// rotations of every project, so a project's token that could change it would reach the other projects too.
    /// </summary>
    public static IReadOnlySet<string> Limitable { get; } =
        new HashSet<string>([RotationsRead, RotationsWrite, RotationsReveal, SecretsRead], StringComparer.Ordinal);
}

/// <summary>
/// One permission of a token, optionally limited to a project, an environment (slug) and a path (the path
/// and everything below it). Limits apply to the rotations and secrets permissions (<see cref="ApiPermissions.Limitable"/>).
/// </summary>
public sealed record ApiTokenScope(string Permission, Guid? ProjectId = null, string? Environment = null, string? SecretPath = null)
{
    public static ValidationErrors Validate(IReadOnlyList<ApiTokenScope>? scopes, string field = "scopes")
    {
        var errors = new ValidationErrors();
        if (scopes is null || scopes.Count == 0)
        {
            errors.Add(field, "Choose at least one permission.");
            return errors;
        }

        for (var i = 0; i < scopes.Count; i++)
        {
            var scope = scopes[i];
            if (!ApiPermissions.All.Contains(scope.Permission, StringComparer.Ordinal))
            {
                errors.Add($"{field}[{i}].permission", $"Unknown permission \"{scope.Permission}\"; use one of {string.Join(", ", ApiPermissions.All)}.");
            }

            else if (!ApiPermissions.Limitable.Contains(scope.Permission)
                     && (scope.ProjectId is not null || scope.Environment is not null || scope.SecretPath is not null))
            {
                errors.Add($"{field}[{i}].permission",
                    $"{scope.Permission} cannot be limited to a project, environment or path: connections are shared by every project.");
            }

            if (scope.Environment is not null && !Slug.IsValid(scope.Environment))
            {
                errors.Add($"{field}[{i}].environment", "Environment must be an environment slug such as dev, staging or prod.");
            }

            if (scope.SecretPath is not null && !FolderPath.TryNormalize(scope.SecretPath, out _, out var pathError))
            {
                errors.Add($"{field}[{i}].secretPath", pathError!);
            }
        }

        return errors;
    }

    /// <summary>True when this scope grants <paramref name="permission"/> at the given location.</summary>
    public bool Allows(string permission, Guid? projectId = null, string? environment = null, string? secretPath = null)
    {
        if (!string.Equals(Permission, permission, StringComparison.Ordinal))
        {
            return false;
        }

        if (ProjectId is { } limitProject && projectId != limitProject)
        {
            return false;
        }

        if (Environment is { } limitEnvironment && !string.Equals(environment, limitEnvironment, StringComparison.Ordinal))
        {
            return false;
        }

        if (SecretPath is { } limitPath)
        {
            if (secretPath is null
                || !FolderPath.TryNormalize(secretPath, out var path, out _)
                || !FolderPath.TryNormalize(limitPath, out var normalizedLimit, out _)
                || !FolderPath.IsSameOrBelow(path, normalizedLimit))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A newly issued token: the entity to store and the value to show once. <see cref="ToString"/> hides the value.</summary>
public sealed record IssuedApiToken(ApiToken Token, string Value)
{
    public override string ToString() => $"IssuedApiToken {{ Name = {Token.Name}, Prefix = {Token.Prefix}, Value = [redacted] }}";
}

/// <summary>
/// A bearer token for the HTTP API. Only the SHA-256 of its value is stored; the value is shown once at
/// creation. Tokens look like <c>rdt_</c> + 43 base64url characters (256 random bits).
/// </summary>
public sealed class ApiToken
{
    public const string ValuePrefix = "rdt_";
    public const int DisplayPrefixLength = 12;
    public const int MaxNameLength = 64;

    private ApiToken()
    {
        Name = string.Empty;
        Prefix = string.Empty;
        TokenHash = string.Empty;
        CreatedBy = string.Empty;
        Scopes = [];
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>The first characters of the value (e.g. <c>rdt_AbC12xYz</c>), to recognise a token in lists.</summary>
    public string Prefix { get; private set; }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 token value.</summary>
    public string TokenHash { get; private set; }

    public IReadOnlyList<ApiTokenScope> Scopes { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>
    /// Names the audit log already uses for other actors (the configured bootstrap token, the scheduler, the sandbox):
    /// a created token must not pass for one of them.
    /// </summary>
    public static IReadOnlySet<string> ReservedNames { get; } =
        new HashSet<string>(["bootstrap", "system", "scheduler", "sandbox", "admin", "root"], StringComparer.OrdinalIgnoreCase);

    public static ValidationErrors Validate(string? name, IReadOnlyList<ApiTokenScope>? scopes, DateTimeOffset? expiresAt, DateTimeOffset now)
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
        else if (ReservedNames.Contains(trimmed))
        {
            errors.Add("name", $"\"{trimmed}\" is reserved: the audit log would not tell this token from the dashboard's own actors. Choose another name.");
        }

        errors.Merge(ApiTokenScope.Validate(scopes));
        if (expiresAt is { } expiry && expiry <= now)
        {
            errors.Add("expiresAt", "The expiry must be in the future.");
        }

        return errors;
    }

    /// <exception cref="DomainValidationException">Name, scopes or expiry are invalid.</exception>
    public static IssuedApiToken Issue(string name, IReadOnlyList<ApiTokenScope> scopes, string createdBy, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        Validate(name, scopes, expiresAt, now).ThrowIfAny();
        ArgumentException.ThrowIfNullOrWhiteSpace(createdBy);
        var value = ValuePrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.NewGuid(),
            Name = name.Trim(),
            Prefix = value[..DisplayPrefixLength],
            TokenHash = Hash(value),
            Scopes = scopes.ToList(),
            CreatedAt = now.ToUniversalTime(),
            CreatedBy = createdBy,
            ExpiresAt = expiresAt?.ToUniversalTime(),
        };
        return new IssuedApiToken(token, value);
    }

    /// <summary>The stored form of a token value (what lookups search for).</summary>
    public static string Hash(string tokenValue)
    {
        ArgumentNullException.ThrowIfNull(tokenValue);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tokenValue)));
    }

    /// <summary>Constant-time check that <paramref name="presentedValue"/> is this token's value.</summary>
    public bool Matches(string? presentedValue)
    {
        if (string.IsNullOrEmpty(presentedValue))
        {
            return false;
        }

        var presented = Encoding.ASCII.GetBytes(Hash(presentedValue));
        var stored = Encoding.ASCII.GetBytes(TokenHash);
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public bool Allows(string permission, Guid? projectId = null, string? environment = null, string? secretPath = null) =>
        Scopes.Any(s => s.Allows(permission, projectId, environment, secretPath));

    public void MarkUsed(DateTimeOffset now) => LastUsedAt = now.ToUniversalTime();

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now.ToUniversalTime();

    public override string ToString() => $"ApiToken {Name} ({Prefix}…)";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
