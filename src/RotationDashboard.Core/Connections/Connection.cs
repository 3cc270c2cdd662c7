using System.Diagnostics.CodeAnalysis;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;

namespace RotationDashboard.Core.Connections;

/// <summary>The fields of a connection a user supplies (create or update).</summary>
public sealed record ConnectionSettings(
    string Name,
    string Domain,
    string ClientId,
    string? Audience = null,
    bool IsSandbox = false,
    string? Description = null,
    Guid? ProjectId = null)
{
    public override string ToString() => $"ConnectionSettings {{ Name = {Name}, Domain = {Domain}, ClientId = {ClientId} }}";
}

/// <summary>
/// An Auth0 tenant the dashboard manages through the Management API (client-credentials grant).
/// The client secret is encrypted at rest; <see cref="ToString"/> never shows it.
/// </summary>
public sealed class Connection
{
    public const string ClientCredentialsMethod = "client-credentials";
    public const int MaxClientIdLength = 128;
    public const int MaxClientSecretLength = 512;
    public const int MaxDomainLength = 253;
    public const int MaxAudienceLength = 300;
    public const int MaxValidationMessageLength = 1024;
    public const int MaxDescriptionLength = 256;

    private Connection()
    {
        Name = string.Empty;
        Method = ClientCredentialsMethod;
        Domain = string.Empty;
        ClientId = string.Empty;
        EncryptedClientSecret = [];
        Audience = string.Empty;
        GrantedScopes = string.Empty;
    }

    public Guid Id { get; private set; }

    /// <summary>Unique slug, e.g. <c>my-auth0-connection</c>.</summary>
    public string Name { get; private set; }

    public string Method { get; private set; }

    /// <summary>A tenant domain (<c>tenant.us.auth0.com</c>) or a base URL (<c>http://localhost:5080/sandbox</c>).</summary>
    public string Domain { get; private set; }

    public string ClientId { get; private set; }

    public byte[] EncryptedClientSecret { get; private set; }

    /// <summary>The Management API audience, always with a trailing slash: <c>https://{domain}/api/v2/</c>.</summary>
    public string Audience { get; private set; }

    public bool IsSandbox { get; private set; }

    /// <summary>Free text for people (at most <see cref="MaxDescriptionLength"/> characters); null when none.</summary>
    public string? Description { get; private set; }

    /// <summary>The project the connection was created for (Infisical's project-scoped connections); null: every project.</summary>
    public Guid? ProjectId { get; private set; }

    public DateTimeOffset? LastValidatedAt { get; private set; }

    public bool? LastValidationOk { get; private set; }

    public string? LastValidationMessage { get; private set; }

    /// <summary>Space-separated scopes the last token carried.</summary>
    public string GrantedScopes { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The URL requests go to: the domain with <c>https://</c> added when it has no scheme, ending with '/'.</summary>
    public Uri BaseUri => ToBaseUri(Domain);

    /// <summary>
    /// Which tenant this is, so two connections to one tenant count as one: the built-in sandbox (wherever the app
    /// listens), or the tenant's host and path in lower case, whatever scheme or trailing slash was entered.
    /// </summary>
    public string TenantKey => IsSandbox
        ? "sandbox"
        : (BaseUri.Authority + BaseUri.AbsolutePath.TrimEnd('/')).ToLowerInvariant();

    public IReadOnlyList<string> GrantedScopeList =>
        GrantedScopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Validates settings (and the secret, when given) without creating anything.</summary>
    public static ValidationErrors Validate(ConnectionSettings settings, string? clientSecret, bool requireClientSecret)
    {
        var errors = new ValidationErrors();
        Slug.Validate(settings.Name, "name", "Name", errors);

        var domainValid = TryNormalizeDomain(settings.Domain, settings.IsSandbox, out var domain, out var domainError);
        if (!domainValid)
        {
            errors.Add("domain", domainError!);
        }

        var clientId = settings.ClientId?.Trim() ?? string.Empty;
        if (clientId.Length == 0)
        {
            errors.Add("clientId", "Client ID is required.");
        }
        else if (clientId.Length > MaxClientIdLength)
        {
            errors.Add("clientId", $"Client ID must be at most {MaxClientIdLength} characters.");
        }

        if (requireClientSecret || clientSecret is not null)
        {
            if (string.IsNullOrWhiteSpace(clientSecret))
            {
                errors.Add("clientSecret", "Client secret is required.");
            }
            else if (clientSecret.Length > MaxClientSecretLength)
            {
                errors.Add("clientSecret", $"Client secret must be at most {MaxClientSecretLength} characters.");
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.Audience)
            && !TryNormalizeAudience(settings.Audience, domainValid ? domain : null, settings.IsSandbox, out _, out var audienceError))
        {
            errors.Add("audience", audienceError);
        }

        if (settings.Description?.Trim() is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"Description must be at most {MaxDescriptionLength} characters.");
        }

        if (settings.ProjectId == Guid.Empty)
        {
            errors.Add("projectId", "Project ID must be a project's id, or left out.");
        }

        return errors;
    }

    /// <exception cref="DomainValidationException">A setting is invalid.</exception>
    public static Connection Create(ConnectionSettings settings, string clientSecret, ISecretProtector protector, DateTimeOffset now)
    {
        Validate(settings, clientSecret, requireClientSecret: true).ThrowIfAny();
        var connection = new Connection
        {
            Id = Guid.NewGuid(),
            CreatedAt = now.ToUniversalTime(),
        };
        connection.ApplySettings(settings, now);
        connection.EncryptedClientSecret = protector.ProtectString(clientSecret, ProtectionPurposes.ConnectionClientSecret(connection.Id));
        return connection;
    }

    /// <summary>Changes the settings; a null <paramref name="newClientSecret"/> keeps the stored secret.</summary>
    /// <exception cref="DomainValidationException">A setting is invalid (nothing changes).</exception>
    /// <returns>Whether the credentials or the tenant changed (the last validation was then cleared).</returns>
    public bool Update(ConnectionSettings settings, string? newClientSecret, ISecretProtector protector, DateTimeOffset now)
    {
        Validate(settings, newClientSecret, requireClientSecret: false).ThrowIfAny();
        var before = (ClientId, Domain, Audience, IsSandbox);
        ApplySettings(settings, now);
        var credentialsChanged = newClientSecret is not null || before != (ClientId, Domain, Audience, IsSandbox);
        if (newClientSecret is not null)
        {
            EncryptedClientSecret = protector.ProtectString(newClientSecret, ProtectionPurposes.ConnectionClientSecret(Id));
        }

        if (credentialsChanged)
        {
            // A previous validation says nothing about new credentials or another tenant.
            LastValidatedAt = null;
            LastValidationOk = null;
            LastValidationMessage = null;
            GrantedScopes = string.Empty;
        }

        return credentialsChanged;
    }

    public string RevealClientSecret(ISecretProtector protector) =>
        protector.UnprotectString(EncryptedClientSecret, ProtectionPurposes.ConnectionClientSecret(Id));

    /// <summary>
    /// Records the outcome of a token request. <paramref name="scrubbedMessage"/> must already be scrubbed.
    /// <paramref name="grantedScopes"/> replaces the stored scopes (empty: none); null keeps them (outcome unknown,
    /// e.g. Auth0 did not answer).
    /// </summary>
    public void RecordValidation(bool ok, string? scrubbedMessage, IEnumerable<string>? grantedScopes, DateTimeOffset now)
    {
        LastValidatedAt = now.ToUniversalTime();
        LastValidationOk = ok;
        LastValidationMessage = scrubbedMessage is { Length: > MaxValidationMessageLength }
            ? scrubbedMessage[..MaxValidationMessageLength]
            : scrubbedMessage;
        if (grantedScopes is not null)
        {
            GrantedScopes = string.Join(' ', grantedScopes.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal));
        }

        UpdatedAt = now.ToUniversalTime();
    }

    public bool HasScope(string scope) => GrantedScopeList.Contains(scope, StringComparer.Ordinal);

    public override string ToString() => $"Connection {Name} ({Domain}, client {ClientId})";

    /// <summary>
    /// Validates and normalises a tenant domain or base URL (parsing: <see cref="TenantUrl"/>) into its stored form:
    /// a bare domain stays bare (<c>tenant.eu.auth0.com</c>), a URL keeps its scheme, and neither has a trailing slash.
    /// Only a sandbox connection (<paramref name="allowHttp"/>) may use plain http.
    /// </summary>
    public static bool TryNormalizeDomain(string? domain, bool allowHttp, out string normalized, out string? error)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(domain))
        {
            error = "Domain is required.";
            return false;
        }

        if (domain.Trim().Length > MaxDomainLength + 16)
        {
            error = "Domain is too long.";
            return false;
        }

        if (!TenantUrl.TryParseBase(domain, out var baseUri, out error))
        {
            return false;
        }

        if (baseUri.Scheme != Uri.UriSchemeHttps && !allowHttp)
        {
            error = "Domain must use https (http is allowed only for a sandbox connection).";
            return false;
        }

        var hasScheme = domain.Contains("://", StringComparison.Ordinal);
        var withoutScheme = baseUri.Authority + baseUri.AbsolutePath.TrimEnd('/');
        normalized = hasScheme ? $"{baseUri.Scheme}://{withoutScheme}" : withoutScheme;
        error = null;
        return true;
    }

    /// <summary>The base URI of a (normalised) domain, always ending with '/'.</summary>
    public static Uri ToBaseUri(string normalizedDomain) =>
        TenantUrl.TryParseBase(normalizedDomain, out var baseUri, out var error)
            ? baseUri
            : throw new FormatException(error);

    /// <summary>The Management API audience for a domain: <c>https://{domain}/api/v2/</c>.</summary>
    public static string DefaultAudience(string normalizedDomain) => TenantUrl.ManagementApiAudience(ToBaseUri(normalizedDomain));

    /// <summary>
    /// The Management API audience: the tenant's Management API identifier, <c>https://{domain}/api/v2/</c> (normalised
    /// with its trailing slash), or, for a tenant behind a custom domain, its canonical <c>https://{tenant}.auth0.com/api/v2/</c>.
    /// Any other URL (another scheme, another host, a path with dot segments, a query) would send the connection's token
    /// request, or its Management API calls, somewhere else. <paramref name="normalizedDomain"/> is null when the domain is invalid.
    /// </summary>
    private static bool TryNormalizeAudience(
        string audience,
        string? normalizedDomain,
        bool isSandbox,
        out string normalized,
        [NotNullWhen(false)] out string? error)
    {
        normalized = string.Empty;
        var trimmed = audience.Trim();
        var expected = normalizedDomain is null ? "https://your-tenant.us.auth0.com/api/v2/" : DefaultAudience(normalizedDomain);
        error = $"Audience must be the tenant's Management API identifier, {expected}.";
        if (trimmed.Length > MaxAudienceLength)
        {
            error = $"Audience must be at most {MaxAudienceLength} characters ({expected}).";
            return false;
        }

        if (!trimmed.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !(isSandbox && trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var path = trimmed[(trimmed.IndexOf("://", StringComparison.Ordinal) + 3)..];
        if (path.Split('/').Any(segment => segment is "." or ".." || segment.Contains("%2e", StringComparison.OrdinalIgnoreCase))
            || path.Any(c => c is '\\' or '?' or '#' or '@' || char.IsWhiteSpace(c) || char.IsControl(c))
            || !TenantUrl.TryNormalizeAudience(trimmed, out var value, out _)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var matchesTenant = normalizedDomain is null || string.Equals(uri.AbsoluteUri, expected, StringComparison.OrdinalIgnoreCase);
        var canonicalTenant = !isSandbox && uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort
                              && uri.Host.EndsWith(".auth0.com", StringComparison.OrdinalIgnoreCase) && uri.AbsolutePath == "/api/v2/";
        if (!matchesTenant && !canonicalTenant)
        {
            return false;
        }

        // Auth0 URLs are built as audience + "clients": the trailing slash is required (Infisical pitfall 7).
        normalized = uri.AbsoluteUri;
        error = null;
        return true;
    }

    private void ApplySettings(ConnectionSettings settings, DateTimeOffset now)
    {
        TryNormalizeDomain(settings.Domain, settings.IsSandbox, out var domain, out _);
        Name = settings.Name.Trim();
        Domain = domain;
        ClientId = settings.ClientId.Trim();
        IsSandbox = settings.IsSandbox;
        Description = string.IsNullOrWhiteSpace(settings.Description) ? null : settings.Description.Trim();
        ProjectId = settings.ProjectId;
        Audience = !string.IsNullOrWhiteSpace(settings.Audience) && TryNormalizeAudience(settings.Audience, domain, settings.IsSandbox, out var audience, out _)
            ? audience
            : DefaultAudience(domain);
        Method = ClientCredentialsMethod;
        UpdatedAt = now.ToUniversalTime();
    }
}
