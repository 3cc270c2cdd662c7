using System.Globalization;
using System.Text.Json.Nodes;

namespace RotationDashboard.Sandbox.Internal;

/// <summary>Renders clients and credentials with Auth0's snake_case member names, omitting what the caller may not see.</summary>
internal static class ClientJson
{
    public static JsonObject Render(ClientRecord client, ClientView view, FieldSelection? fields = null)
    {
        var json = new JsonObject
        {
            ["client_id"] = client.ClientId,
            ["name"] = client.Name,
        };
        if (client.Description is not null)
            json["description"] = client.Description;
        if (client.AppType is not null)
            json["app_type"] = client.AppType;

        if (view.HasFlag(ClientView.Settings))
        {
            json["tenant"] = SandboxSeed.TenantName;
            json["global"] = client.Global;
            json["is_first_party"] = client.IsFirstParty;
            json["oidc_conformant"] = true;
            json["callbacks"] = Strings(client.Callbacks);
            json["allowed_origins"] = new JsonArray();
            json["web_origins"] = new JsonArray();
            json["allowed_logout_urls"] = Strings(client.AllowedLogoutUrls);
            json["grant_types"] = Strings(client.GrantTypes);
            json["jwt_configuration"] = new JsonObject
            {
                ["alg"] = "RS256",
                ["lifetime_in_seconds"] = 36000,
                ["secret_encoded"] = false,
            };
            json["sso_disabled"] = false;
            json["cross_origin_authentication"] = false;
            json["custom_login_page_on"] = true;
            json["is_token_endpoint_ip_header_trusted"] = false;
            json["client_metadata"] = new JsonObject();
            if (client.TokenEndpointAuthMethod is not null)
                json["token_endpoint_auth_method"] = client.TokenEndpointAuthMethod;
        }

        if (view.HasFlag(ClientView.Keys))
        {
            // Auth0 hides the secret of a client that authenticates with Private Key JWT.
            if (client.ClientSecret is not null && !client.UsesPrivateKeyJwt)
                json["client_secret"] = client.ClientSecret;
            if (client.PrivateKeyJwtCredentialIds is { } attached)
                json["client_authentication_methods"] = new JsonObject
                {
                    ["private_key_jwt"] = new JsonObject
                    {
                        ["credentials"] = new JsonArray(attached.Select(id => (JsonNode)new JsonObject { ["id"] = id }).ToArray()),
                    },
                };
        }

        return fields is null ? json : Select(json, fields);
    }

    public static JsonObject RenderCredential(CredentialRecord credential)
    {
        var json = new JsonObject
        {
            ["id"] = credential.Id,
            ["credential_type"] = credential.CredentialType,
            ["kid"] = credential.Kid,
            ["alg"] = credential.Alg,
        };
        if (!string.IsNullOrEmpty(credential.Name))
            json["name"] = credential.Name;
        json["created_at"] = Timestamp(credential.CreatedAt);
        json["updated_at"] = Timestamp(credential.UpdatedAt);
        if (credential.ExpiresAt is { } expiresAt)
            json["expires_at"] = Timestamp(expiresAt);
        return json;
    }

    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Select(JsonObject json, FieldSelection fields)
    {
        var selected = new JsonObject();
        foreach (var (name, value) in json.ToList())
        {
            if (fields.Fields.Contains(name) == fields.Include)
            {
                json.Remove(name);
                selected[name] = value;
            }
        }

        return selected;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
