using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox.Http;

/// <summary>Turns Management API query strings and bodies into requests, with Auth0's validation messages.</summary>
internal static class ManagementRequests
{
    private static readonly HashSet<string> AppTypes =
        ["native", "spa", "regular_web", "non_interactive", "resource_server", "express_configuration", "rms", "box", "cloudbees",
         "concur", "dropbox", "mscrm", "echosign", "egnyte", "newrelic", "office365", "salesforce", "sentry", "sharepoint",
         "slack", "springcm", "sso_integration", "zendesk", "zoom"];

    private const int MinClientSecretLength = 48;

    // \z, not $: a trailing newline is a character Auth0 refuses too.
    private static readonly Regex ClientSecretPattern = new(@"^[a-zA-Z0-9_+=.\-]+\z", RegexOptions.CultureInvariant);

    private static readonly HashSet<string> TokenEndpointAuthMethods = ["none", "client_secret_post", "client_secret_basic"];

    private static readonly HashSet<string> GrantTypes =
        ["authorization_code", "implicit", "refresh_token", "client_credentials", "password",
         "http://auth0.com/oauth/grant-type/password-realm", "http://auth0.com/oauth/grant-type/mfa-oob",
         "http://auth0.com/oauth/grant-type/mfa-otp", "http://auth0.com/oauth/grant-type/mfa-recovery-code",
         "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange"];

    // Real client members the sandbox accepts in PATCH without modelling them.
    private static readonly HashSet<string> IgnoredClientMembers =
        ["logo_uri", "is_first_party", "oidc_conformant", "allowed_origins", "web_origins", "client_aliases", "allowed_clients",
         "session_transfer", "oidc_logout", "jwt_configuration", "encryption_key", "sso", "sso_disabled",
         "cross_origin_authentication", "cross_origin_loc", "custom_login_page_on", "custom_login_page", "custom_login_page_preview",
         "form_template", "addons", "is_token_endpoint_ip_header_trusted", "client_metadata", "mobile", "initiate_login_uri",
         "native_social_login", "refresh_token", "default_organization", "organization_usage", "organization_require_behavior",
         "require_pushed_authorization_requests", "require_proof_of_possession", "signed_request_object",
         "compliance_level", "token_exchange", "par_request_expiry", "token_quota", "app_type"];

    public static ClientListQuery ParseListQuery(IQueryCollection query)
    {
        var perPage = Integer(query, "per_page", 50, 0, 100);
        var page = Integer(query, "page", 0, 0, int.MaxValue / Math.Max(1, perPage));
        if (query.ContainsKey("q"))
            throw ManagementApiException.InvalidQuery("The sandbox tenant does not support the q parameter", "q");

        HashSet<string>? appTypes = null;
        if (query.TryGetValue("app_type", out var appTypeValue) && !string.IsNullOrEmpty(appTypeValue))
        {
            appTypes = appTypeValue.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            foreach (var appType in appTypes.Where(a => !AppTypes.Contains(a)))
                throw ManagementApiException.InvalidQuery($"No enum match for: \"{appType}\"", "app_type");
        }

        return new ClientListQuery(
            page,
            perPage,
            Boolean(query, "include_totals") ?? false,
            appTypes,
            Boolean(query, "is_global"),
            Boolean(query, "is_first_party"),
            ParseFields(query));
    }

    public static FieldSelection? ParseFields(IQueryCollection query)
    {
        if (!query.TryGetValue("fields", out var fields) || string.IsNullOrWhiteSpace(fields))
            return null;
        var names = fields.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new FieldSelection(names, Boolean(query, "include_fields") ?? true);
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            throw new ManagementApiException(400, "Invalid request payload JSON format", "invalid_body");
        }

        return node as JsonObject ?? throw ManagementApiException.InvalidBody($"Expected type object but found type {TypeName(node)}");
    }

    /// <summary>Parses a PATCH /clients/{id} body and names the scopes each member needs.</summary>
    public static (ClientPatch Patch, List<string[]> RequiredScopes) ParseClientPatch(JsonObject body)
    {
        var patch = new ClientPatch();
        var required = new List<string[]>();
        string[] updateClients = ["update:clients"];

        foreach (var (name, value) in body)
        {
            switch (name)
            {
                case "name":
                    patch.Name = String(value, name, minLength: 1);
                    required.Add(updateClients);
                    break;
                case "description":
                    patch.HasDescription = true;
                    patch.Description = value is null ? null : String(value, name, maxLength: 140);
                    required.Add(updateClients);
                    break;
                case "client_secret":
                    patch.ClientSecret = CustomClientSecret(value);
                    required.Add(["update:client_keys"]);
                    break;
                case "token_endpoint_auth_method":
                    patch.HasTokenEndpointAuthMethod = true;
                    if (value is not null)
                    {
                        var method = String(value, name);
                        if (!TokenEndpointAuthMethods.Contains(method))
                            throw ManagementApiException.InvalidBodyOn($"No enum match for: \"{method}\"", name);
                        patch.TokenEndpointAuthMethod = method;
                    }

                    required.Add(["update:clients", "update:client_keys", "update:client_credentials"]);
                    break;
                case "client_authentication_methods":
                    patch.HasClientAuthenticationMethods = true;
                    patch.PrivateKeyJwtCredentialIds = value is null ? null : ParseAuthenticationMethods(value);
                    required.Add(["update:client_credentials"]);
                    break;
                case "callbacks":
                    patch.Callbacks = Strings(value, name);
                    required.Add(updateClients);
                    break;
                case "allowed_logout_urls":
                    patch.AllowedLogoutUrls = Strings(value, name);
                    required.Add(updateClients);
                    break;
                case "grant_types":
                    patch.GrantTypes = Strings(value, name);
                    foreach (var grant in patch.GrantTypes.Where(g => !GrantTypes.Contains(g)))
                        throw ManagementApiException.InvalidBodyOn($"No enum match for: \"{grant}\"", name);
                    required.Add(updateClients);
                    break;
                default:
                    if (!IgnoredClientMembers.Contains(name))
                        throw ManagementApiException.InvalidBody($"Additional properties not allowed: {name}");
                    patch.IgnoredMembers.Add(name);
                    required.Add(updateClients);
                    break;
            }
        }

        return (patch, required);
    }

    /// <summary>
    /// A custom client secret as Auth0 takes it: at least 48 characters, only letters, digits and <c>_ - + = .</c>
    /// (Auth0's zero-downtime rotation guide); anything else is a payload validation error.
    /// </summary>
    private static string CustomClientSecret(JsonNode? value)
    {
        const string property = "client_secret (The secret used to sign tokens for the client)";
        var secret = String(value, property, minLength: MinClientSecretLength, maxLength: 4096);
        if (!ClientSecretPattern.IsMatch(secret))
            throw ManagementApiException.InvalidBodyOn("String does not match pattern ^[a-zA-Z0-9_+=.-]+$", property);
        return secret;
    }

    public static CredentialCreateRequest ParseCredentialCreate(JsonObject body)
    {
        foreach (var (name, _) in body)
        {
            if (name is not ("credential_type" or "name" or "pem" or "alg" or "kid" or "expires_at" or "parse_expiry_from_cert"))
                throw ManagementApiException.InvalidBody($"Additional properties not allowed: {name}");
        }

        var credentialType = body.TryGetPropertyValue("credential_type", out var typeNode)
            ? String(typeNode, "credential_type")
            : throw ManagementApiException.InvalidBody("Missing required property: credential_type");
        if (credentialType is "x509_cert" or "cert_subject_dn")
            throw ManagementApiException.InvalidBodyOn("The sandbox tenant supports only public_key (Private Key JWT) credentials", "credential_type");
        if (credentialType != "public_key")
            throw ManagementApiException.InvalidBodyOn($"No enum match for: \"{credentialType}\"", "credential_type");

        var pem = body.TryGetPropertyValue("pem", out var pemNode)
            ? String(pemNode, "pem", minLength: 1)
            : throw ManagementApiException.InvalidBody("Missing required property: pem");
        var displayName = body.TryGetPropertyValue("name", out var nameNode) && nameNode is not null ? String(nameNode, "name", maxLength: 128) : null;
        var alg = body.TryGetPropertyValue("alg", out var algNode) && algNode is not null ? String(algNode, "alg") : "RS256";
        if (!SandboxTenant.IsCredentialAlgorithm(alg))
            throw ManagementApiException.InvalidBodyOn($"No enum match for: \"{alg}\"", "alg");
        var kid = body.TryGetPropertyValue("kid", out var kidNode) && kidNode is not null ? String(kidNode, "kid") : null;
        if (kid is not null && !SandboxTenant.IsValidKid(kid))
            throw ManagementApiException.InvalidBodyOn("String does not match pattern ^[0-9a-zA-Z-_]{10,64}$", "kid");
        var expiresAt = body.TryGetPropertyValue("expires_at", out var expiresNode) ? DateTime(expiresNode, "expires_at") : null;
        var parseExpiry = body.TryGetPropertyValue("parse_expiry_from_cert", out var parseNode) && parseNode is not null && Bool(parseNode, "parse_expiry_from_cert");
        if (parseExpiry && expiresAt is not null)
            throw ManagementApiException.InvalidBody("parse_expiry_from_cert and expires_at are mutually exclusive");

        return new CredentialCreateRequest(credentialType, displayName, pem, alg, kid, expiresAt, parseExpiry);
    }

    /// <returns>The new expiry; <c>Has</c> false when the body left it out.</returns>
    public static (bool Has, DateTimeOffset? ExpiresAt) ParseCredentialPatch(JsonObject body)
    {
        foreach (var (name, _) in body)
        {
            if (name != "expires_at")
                throw ManagementApiException.InvalidBody($"Additional properties not allowed: {name}");
        }

        return body.TryGetPropertyValue("expires_at", out var node) ? (true, DateTime(node, "expires_at")) : (false, null);
    }

    private static List<string> ParseAuthenticationMethods(JsonNode value)
    {
        const string property = "client_authentication_methods";
        if (value is not JsonObject methods)
            throw ManagementApiException.InvalidBodyOn($"Expected type object but found type {TypeName(value)}", property);
        foreach (var (name, _) in methods)
        {
            if (name is "tls_client_auth" or "self_signed_tls_client_auth")
                throw ManagementApiException.InvalidBodyOn("The sandbox tenant supports only private_key_jwt", $"{property}.{name}");
            if (name != "private_key_jwt")
                throw ManagementApiException.InvalidBodyOn($"Additional properties not allowed: {name}", property);
        }

        if (!methods.TryGetPropertyValue("private_key_jwt", out var privateKeyJwt) || privateKeyJwt is not JsonObject jwtMethod)
            throw ManagementApiException.InvalidBodyOn("Missing required property: private_key_jwt", property);
        if (!jwtMethod.TryGetPropertyValue("credentials", out var credentialsNode) || credentialsNode is not JsonArray credentials)
            throw ManagementApiException.InvalidBodyOn("Missing required property: credentials", property + ".private_key_jwt");
        if (credentials.Count > SandboxTenant.MaxAttachedCredentials)
            throw SandboxTenant.AttachedArrayTooLong(credentials.Count);
        if (credentials.Count == 0)
            throw ManagementApiException.InvalidBodyOn("Array is too short (0), minimum 1", property + ".private_key_jwt.credentials");

        var ids = new List<string>();
        foreach (var item in credentials)
        {
            if (item is not JsonObject reference || !reference.TryGetPropertyValue("id", out var idNode))
                throw ManagementApiException.InvalidBodyOn("Missing required property: id", property + ".private_key_jwt.credentials");
            ids.Add(String(idNode, property + ".private_key_jwt.credentials.id", minLength: 1));
        }

        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
            throw ManagementApiException.InvalidBodyOn("Array items are not unique", property + ".private_key_jwt.credentials");
        return ids;
    }

    private static int Integer(IQueryCollection query, string name, int fallback, int minimum, int maximum)
    {
        if (!query.TryGetValue(name, out var raw) || string.IsNullOrEmpty(raw))
            return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw ManagementApiException.InvalidQuery("Expected type integer but found type string", name);
        if (value < minimum)
            throw ManagementApiException.InvalidQuery($"Value {value} is less than minimum {minimum}", name);
        if (value > maximum)
            throw ManagementApiException.InvalidQuery($"Value {value} is greater than maximum {maximum}", name);
        return value;
    }

    private static bool? Boolean(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var raw) || string.IsNullOrEmpty(raw))
            return null;
        return raw.ToString().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw ManagementApiException.InvalidQuery("Expected type boolean but found type string", name),
        };
    }

    private static string String(JsonNode? node, string property, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            throw ManagementApiException.InvalidBodyOn($"Expected type string but found type {TypeName(node)}", property);
        var text = value.GetValue<string>();
        if (text.Length < minLength)
            throw ManagementApiException.InvalidBodyOn($"String is too short ({text.Length} chars), minimum {minLength}", property);
        if (text.Length > maxLength)
            throw ManagementApiException.InvalidBodyOn($"String is too long ({text.Length} chars), maximum {maxLength}", property);
        return text;
    }

    private static bool Bool(JsonNode node, string property) =>
        node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : throw ManagementApiException.InvalidBodyOn($"Expected type boolean but found type {TypeName(node)}", property);

    private static DateTimeOffset? DateTime(JsonNode? node, string property)
    {
        if (node is null)
            return null;
        var text = String(node, property);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw ManagementApiException.InvalidBodyOn("Object didn't pass validation for format date-time: " + text, property);
    }

    private static List<string> Strings(JsonNode? node, string property)
    {
        if (node is not JsonArray array)
            throw ManagementApiException.InvalidBodyOn($"Expected type array but found type {TypeName(node)}", property);
        return array.Select(item => String(item, property)).ToList();
    }

    private static string TypeName(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "unknown",
    };
}
