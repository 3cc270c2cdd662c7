using System.Diagnostics.CodeAnalysis;
using RotationDashboard.Core.Connections;

namespace RotationDashboard.Auth0;

/// <summary>
/// A normalised Auth0 tenant address: a bare domain (<c>my-tenant.eu.auth0.com</c>, https is assumed) or a full
/// base URL that may carry a path (the sandbox tenant, <c>http://localhost:5000/sandbox-tenant/</c>). Parsing is
/// Core's <see cref="TenantUrl"/>, the same rules a stored connection is validated with.
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
        if (!TenantUrl.TryParseBase(domainOrBaseUrl, out var baseUri, out error))
        {
            address = null;
            return false;
        }

        address = new Auth0TenantAddress(baseUri);
        return true;
    }

    /// <summary>
    /// Normalises an API audience URL (adds the trailing slash Auth0 expects on <c>…/api/v2/</c>).
    /// Identifiers that are not http(s) URLs (for example <c>urn:my-api</c>) are returned trimmed and unchanged.
    /// </summary>
    public static string NormalizeAudience(string audience) =>
        TryNormalizeAudience(audience, out var normalized, out var error)
            ? normalized
            : throw new FormatException(error);

    public static bool TryNormalizeAudience(
        string? audience,
        [NotNullWhen(true)] out string? normalized,
        [NotNullWhen(false)] out string? error) =>
        TenantUrl.TryNormalizeAudience(audience, out normalized, out error);

    public override string ToString() => BaseUri.AbsoluteUri;

    public bool Equals(Auth0TenantAddress? other) => other is not null && BaseUri.Equals(other.BaseUri);

    public override bool Equals(object? obj) => Equals(obj as Auth0TenantAddress);

    public override int GetHashCode() => BaseUri.GetHashCode();
}
