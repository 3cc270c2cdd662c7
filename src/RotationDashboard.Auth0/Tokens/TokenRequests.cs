using System.Net.Http.Headers;
using System.Text;
using RotationDashboard.Auth0.Http;

namespace RotationDashboard.Auth0.Tokens;

/// <summary>Builds the form-encoded client_credentials requests for <c>/oauth/token</c>.</summary>
internal static class TokenRequests
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static Auth0HttpRequest WithClientSecret(
        Auth0TenantAddress tenant,
        string clientId,
        string clientSecret,
        string audience,
        ClientSecretAuthentication method)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
        };
        AuthenticationHeaderValue? authorization = null;
        if (method == ClientSecretAuthentication.ClientSecretBasic)
        {
            // As Auth0 documents it: base64 of the raw "id:secret", without form-encoding the parts first.
            authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{clientSecret}")));
        }
        else
        {
            form.Add(new("client_secret", clientSecret));
        }

        form.Add(new("audience", audience));
        return new Auth0HttpRequest(HttpMethod.Post, tenant.TokenEndpoint)
        {
            Content = Encode(form),
            ContentType = "application/x-www-form-urlencoded",
            Authorization = authorization,
            SensitiveValues = [clientSecret],
        };
    }

    /// <summary>A client assertion is single-use (its jti), so this request is never replayed.</summary>
    public static Auth0HttpRequest WithClientAssertion(
        Auth0TenantAddress tenant,
        string clientId,
        string clientAssertion,
        string audience) =>
        new(HttpMethod.Post, tenant.TokenEndpoint)
        {
            Content = Encode(
            [
                new("grant_type", "client_credentials"),
                new("client_id", clientId),
                new("client_assertion_type", JwtBearerAssertionType),
                new("client_assertion", clientAssertion),
                new("audience", audience),
            ]),
            ContentType = "application/x-www-form-urlencoded",
            IsReplayable = false,
            SensitiveValues = [clientAssertion],
        };

    private static byte[] Encode(IEnumerable<KeyValuePair<string, string>> form) =>
        Encoding.ASCII.GetBytes(string.Join('&', form.Select(p =>
            $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
}
