using System.Diagnostics.CodeAnalysis;

namespace RotationDashboard.Core.Connections;

/// <summary>
/// The one parser of Auth0 tenant addresses and API audiences, shared by <see cref="Connection"/> (what is stored)
/// and the Auth0 client's <c>Auth0TenantAddress</c> (where requests go). A tenant is a bare domain
/// (<c>my-tenant.eu.auth0.com</c>, https assumed) or a base URL that may carry a path (the sandbox tenant,
/// <c>http://localhost:5000/sandbox-tenant/</c>). Scheme policy (https only for real tenants) is the caller's.
/// </summary>
public static class TenantUrl
{
    /// <summary>
    /// Parses a tenant domain or base URL into a base URI that always ends with '/', so relative paths resolve
    /// under it instead of replacing its last segment. Messages say what to enter instead.
    /// </summary>
    public static bool TryParseBase(
        string? domainOrBaseUrl,
        [NotNullWhen(true)] out Uri? baseUri,
        [NotNullWhen(false)] out string? error)
    {
        baseUri = null;
        if (!TryParseHttpUrl(domainOrBaseUrl, "Auth0 domain", assumeHttps: true, out var uri, out error))
        {
            return false;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        // A pasted audience or token URL is the most common mistake; say what to enter instead.
        if (path.EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase) ||
            path.EndsWith("/oauth/token", StringComparison.OrdinalIgnoreCase))
        {
            error = $"The Auth0 domain '{uri.GetLeftPart(UriPartial.Path)}' looks like an API or token URL; " +
                    $"enter the tenant domain only (for example '{uri.Authority}').";
            return false;
        }

        baseUri = WithTrailingSlash(uri);
        return true;
    }

    /// <summary>
    /// Normalises an API audience: an http(s) URL gets the trailing slash Auth0 expects on <c>…/api/v2/</c>;
    /// identifiers that are not URLs (for example <c>urn:my-api</c>) are returned trimmed and unchanged.
    /// </summary>
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
            {
                return false;
            }

            // Auth0 matches API identifiers as exact strings ("…/api" and "…/api/" are different APIs), so only the
            // Management API's identifier, known to end in "/api/v2/", gets its missing slash back.
            normalized = uri.AbsolutePath.TrimEnd('/').EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase)
                ? WithTrailingSlash(uri).AbsoluteUri
                : trimmed;
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

    /// <summary>The default Management API audience of a tenant base: <c>{base}api/v2/</c>.</summary>
    public static string ManagementApiAudience(Uri baseUri) => new Uri(baseUri, "api/v2/").AbsoluteUri;

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
            if (!assumeHttps || (trimmed.Contains(':') && !HasOnlyPortColon(trimmed)))
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
        {
            return true;
        }

        var colon = authority.LastIndexOf(':');
        return colon > 0 && authority.IndexOf(':') == colon &&
               authority[(colon + 1)..].All(char.IsAsciiDigit) && colon < authority.Length - 1;
    }

    private static Uri WithTrailingSlash(Uri uri)
    {
        var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }
}
