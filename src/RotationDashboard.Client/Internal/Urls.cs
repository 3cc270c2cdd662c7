using System.Net;

namespace RotationDashboard.Client.Internal;

internal static class Urls
{
    /// <summary>
    /// The tenant base URL with its trailing slash: <c>https://{domain}/</c> for a bare domain, the URL itself
    /// (path kept) otherwise.
    /// </summary>
    public static bool TryParseTenant(string? domainOrUrl, out Uri baseUrl, out string problem)
    {
        baseUrl = null!;
        var text = domainOrUrl?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = "is required: a tenant domain (my-tenant.eu.auth0.com) or a base URL (http://127.0.0.1:5123/)";
            return false;
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"'{text}' is neither a domain nor an absolute URL";
            return false;
        }

        return TryNormalizeBase(uri, out baseUrl, out problem);
    }

    /// <summary>An http(s) URL without query or fragment, its path ending in '/'.</summary>
    public static bool TryNormalizeBase(Uri uri, out Uri baseUrl, out string problem)
    {
        baseUrl = null!;
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"'{uri}' must be an absolute http or https URL";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = $"'{uri.GetLeftPart(UriPartial.Path)}' must not carry a query, fragment or user info";
            return false;
        }

        var text = uri.GetLeftPart(UriPartial.Path);
        baseUrl = new Uri(text.EndsWith('/') ? text : text + "/");
        problem = "";
        return true;
    }

    /// <summary>Plain http is only fine on this machine, unless explicitly allowed.</summary>
    public static bool IsSafeTransport(Uri uri, bool allowInsecureHttp) =>
        uri.Scheme == Uri.UriSchemeHttps || allowInsecureHttp || IsLoopback(uri);

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));
}
