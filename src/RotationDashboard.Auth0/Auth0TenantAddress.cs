using System.Diagnostics.CodeAnalysis;

namespace RotationDashboard.Auth0;

/// <summary>
/// A normalised Auth0 tenant address: a bare domain (<c>my-tenant.eu.auth0.com</c>, https is assumed) or a full
/// base URL that may carry a path (the sandbox tenant, <c>http://localhost:5000/sandbox-tenant/</c>).
/// Every derived URL is built from <see cref="BaseUri"/>, which always ends with a slash, so relative paths
/// resolve under it instead of replacing its last segment.
/// </summary>
public sealed class Auth0TenantAddress : IEquatable<Auth0TenantAddress>
{
    private Auth0TenantAddress(Uri baseUri)
    {
        BaseUri = baseUri;
        TokenEndpoint = new Uri(baseUri, "oauth/token");
        ManagementApiBase = new Uri(baseUri, "api/v2/");
    }

    /// <summary><c>https://tenant/</c> or <c>http://127.0.0.1:5000/sandbox-tenant/</c>; always ends with '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary><c>{base}oauth/token</c>.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary><c>{base}api/v2/</c>: the Management API root and its default audience.</summary>
    public Uri ManagementApiBase { get; }

    /// <summary>The default Management API audience, <c>{base}api/v2/</c> with the trailing slash.</summary>
    public string ManagementApiAudience => ManagementApiBase.AbsoluteUri;

    /// <summary>The <c>aud</c> of a private_key_jwt client assertion: <c>{base}</c> with the trailing slash.</summary>
    public string ClientAssertionAudience => BaseUri.AbsoluteUri;

    /// <summary>Host name (or IP literal) to connect to, for the outbound address guard.</summary>
    public string Host => BaseUri.IdnHost;

    public bool IsHttps => BaseUri.Scheme == Uri.UriSchemeHttps;

    public static Auth0TenantAddress Parse(string domainOrBaseUrl) =>
        TryParse(domainOrBaseUrl, out var address, out var error)
            ? address
            : throw new FormatException(error);

    public static bool TryParse(
        string? domainOrBaseUrl,
        [NotNullWhen(true)] out Auth0TenantAddress? address,
        [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (!TryParseHttpUrl(domainOrBaseUrl, "Auth0 domain", assumeHttps: true, out var uri, out error))
            return false;

        var path = uri.AbsolutePath.TrimEnd('/');
        // A pasted audience or token URL is the most common mistake; say what to enter instead.
        if (path.EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase) ||
            path.EndsWith("/oauth/token", StringComparison.OrdinalIgnoreCase))
        {
            error = $"The Auth0 domain '{uri.GetLeftPart(UriPartial.Path)}' looks like an API or token URL; " +
                    $"enter the tenant domain only (for example '{uri.Authority}').";
            return false;
        }

        address = new Auth0TenantAddress(WithTrailingSlash(uri));
        return true;
    }

    /// <summary>
    /// Normalises an API audience: adds the trailing slash Auth0 expects on a Management API audience
    /// (<c>…/api/v2/</c>); any other identifier (<c>https://api.example.com</c>, <c>urn:my-api</c>) is returned
    /// trimmed and otherwise unchanged, since Auth0 compares identifiers exactly.
    /// </summary>
    public static string NormalizeAudience(string audience) =>
        TryNormalizeAudience(audience, out var normalized, out var error)
            ? normalized
            : throw new FormatException(error);

    public static bool TryNormalizeAudience(
        string? audience,
        [NotNullWhen(true)] out string? normalized,
        [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        var trimmed = audience?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = "The audience is empty.";
            return false;
        }

        if (trimmed.Contains("://", StringComparison.Ordinal))
        {
            if (!TryParseHttpUrl(trimmed, "audience", assumeHttps: false, out var uri, out error))
                return false;
            // Auth0 matches API identifiers as exact strings ("…/api" and "…/api/" are different APIs), so only the
            // Management API's identifier, known to end in "/api/v2/", gets its missing slash back.
            normalized = uri.AbsolutePath.EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase) ? trimmed + "/" : trimmed;
            return true;
        }

        if (trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "The audience must not contain spaces or control characters.";
            return false;
        }

        normalized = trimmed;
        error = null;
        return true;
    }

    public override string ToString() => BaseUri.AbsoluteUri;

    public bool Equals(Auth0TenantAddress? other) => other is not null && BaseUri.Equals(other.BaseUri);

    public override bool Equals(object? obj) => Equals(obj as Auth0TenantAddress);

    public override int GetHashCode() => BaseUri.GetHashCode();

    private static bool TryParseHttpUrl(
        string? input,
        string what,
        bool assumeHttps,
        [NotNullWhen(true)] out Uri? uri,
        [NotNullWhen(false)] out string? error)
    {
        uri = null;
        var trimmed = input?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = $"The {what} is empty.";
            return false;
        }

        if (trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = $"The {what} must not contain spaces or control characters.";
            return false;
        }

        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            if (!assumeHttps || trimmed.Contains(':') && !HasOnlyPortColon(trimmed))
            {
                error = $"The {what} '{trimmed}' is not an http or https address.";
                return false;
            }

            trimmed = "https://" + trimmed;
        }
        else
        {
            var scheme = trimmed[..schemeEnd];
            if (!scheme.Equals("https", StringComparison.OrdinalIgnoreCase) &&
                !scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                error = $"The {what} must use https (or http for a local sandbox), not '{scheme}'.";
                return false;
            }
        }

        if (trimmed.Contains('?') || trimmed.Contains('#'))
        {
            error = $"The {what} must not contain a query string or fragment.";
            return false;
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var parsed) ||
            parsed.HostNameType is UriHostNameType.Unknown or UriHostNameType.Basic ||
            string.IsNullOrEmpty(parsed.Host))
        {
            error = $"The {what} '{input!.Trim()}' is not a valid host name or URL.";
            return false;
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            error = $"The {what} must not contain a user name or password.";
            return false;
        }

        uri = parsed;
        error = null;
        return true;
    }

    // "host:8443", "host:8443/path" or "[::1]:8443" is a host with a port, not a scheme.
    private static bool HasOnlyPortColon(string value)
    {
        var authority = value.Split('/', 2)[0];
        if (authority.StartsWith('['))
            return true;
        var colon = authority.LastIndexOf(':');
        return colon > 0 && authority.IndexOf(':') == colon &&
               authority[(colon + 1)..].All(char.IsAsciiDigit) && colon < authority.Length - 1;
    }

    private static Uri WithTrailingSlash(Uri uri)
    {
        var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
            builder.Path += "/";
        return builder.Uri;
    }
}
