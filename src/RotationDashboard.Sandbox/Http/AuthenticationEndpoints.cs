using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox.Http;

/// <summary>The Authentication API: /oauth/token, /authorize, /userinfo, /v2/logout and OIDC discovery.</summary>
internal static class AuthenticationEndpoints
{
    public static void Map(RouteGroupBuilder tenantGroup, TenantMount mount)
    {
        tenantGroup.MapPost("/oauth/token", Task<IResult> (HttpContext context) => TokenAsync(context, mount))
            .AddEndpointFilter(async (invocation, next) =>
            {
                var context = invocation.HttpContext;
                var tenant = context.RequestServices.GetRequiredService<SandboxTenant>();
                return await SandboxHttp.ApplyFaultsAsync(context, tenant, mount, SandboxFaultTargets.Token, managementShape: false)
                       ?? await next(invocation);
            });
        tenantGroup.MapGet("/authorize", (HttpContext context) => Authorize(context));
        tenantGroup.MapPost("/authorize/select", Task<IResult> (HttpContext context) => SelectUserAsync(context));
        tenantGroup.MapMethods("/userinfo", ["GET", "POST"], Task<IResult> (HttpContext context) => UserInfoAsync(context, mount));
        tenantGroup.MapGet("/v2/logout", (HttpContext context) => Logout(context));
        tenantGroup.MapGet("/.well-known/jwks.json", (HttpContext context) =>
            SandboxHttp.JsonNode(Tenant(context).SigningKey.ToJwks()));
        tenantGroup.MapGet("/.well-known/openid-configuration", (HttpContext context) => Discovery(context, mount));
        tenantGroup.MapGet("/avatars/{nickname}.svg", (string nickname) => Avatar(nickname));
    }

    private static SandboxTenant Tenant(HttpContext context) => context.RequestServices.GetRequiredService<SandboxTenant>();

    private static async Task<IResult> TokenAsync(HttpContext context, TenantMount mount)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var tenant = Tenant(context);
        var baseUrl = mount.BaseUrl(context.Request);
        try
        {
            var parameters = await ReadParametersAsync(context.Request, context.RequestAborted);
            var grantType = parameters.GetValueOrDefault("grant_type");
            if (string.IsNullOrEmpty(grantType))
                throw OAuthException.InvalidRequest("Missing required parameter: grant_type");
            if (grantType is not ("client_credentials" or "authorization_code"))
                throw new OAuthException(400, "unsupported_grant_type", $"Unsupported grant type: {grantType}");

            var (basicId, basicSecret) = ParseBasic(context.Request);
            var client = await tenant.AuthenticateClientAsync(new SandboxTenant.ClientAuthenticationRequest(
                parameters.GetValueOrDefault("client_id"),
                parameters.GetValueOrDefault("client_secret"),
                basicId,
                basicSecret,
                parameters.GetValueOrDefault("client_assertion"),
                parameters.GetValueOrDefault("client_assertion_type")), baseUrl);

            var result = grantType == "client_credentials"
                ? tenant.IssueClientCredentialsToken(client, parameters.GetValueOrDefault("audience"), parameters.GetValueOrDefault("scope"), baseUrl)
                : tenant.ExchangeAuthorizationCode(client, parameters.GetValueOrDefault("code"), parameters.GetValueOrDefault("redirect_uri"),
                    parameters.GetValueOrDefault("code_verifier"), baseUrl);

            var body = new JsonObject { ["access_token"] = result.AccessToken };
            if (result.IdToken is not null)
                body["id_token"] = result.IdToken;
            body["scope"] = result.Scope;
            body["expires_in"] = result.ExpiresIn;
            body["token_type"] = "Bearer";
            return SandboxHttp.JsonNode(body);
        }
        catch (OAuthException exception)
        {
            return SandboxHttp.OAuthError(exception.StatusCode, exception.Error, exception.Message);
        }
    }

    /// <summary>Auth0 documents form encoding and also accepts JSON.</summary>
    private static async Task<Dictionary<string, string>> ReadParametersAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (name, value) in await ReadFormAsync(request, cancellationToken))
                parameters[name] = value.ToString();
            return parameters;
        }

        if (request.HasJsonContentType())
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw OAuthException.InvalidRequest("The request body must be a JSON object.");
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    parameters[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                        _ => "",
                    };
                }

                return parameters;
            }
            catch (JsonException)
            {
                throw OAuthException.InvalidRequest("The request body is not valid JSON.");
            }
        }

        throw OAuthException.InvalidRequest("Send the parameters as application/x-www-form-urlencoded or application/json.");
    }

    private static (string? ClientId, string? Secret) ParseBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return (null, null);
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon < 0)
                throw OAuthException.InvalidRequest("Malformed HTTP Basic credentials.");
            // RFC 6749 §2.3.1 form-encodes both parts; most clients do not, and the secret alphabet survives either way.
            return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            throw OAuthException.InvalidRequest("Malformed HTTP Basic credentials.");
        }
    }

    private static IResult Authorize(HttpContext context)
    {
        var query = context.Request.Query;
        string? Get(string name) => query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;
        var outcome = Tenant(context).BeginAuthorization(new SandboxTenant.AuthorizeRequest(
            Get("response_type"), Get("client_id"), Get("redirect_uri"), Get("scope"), Get("state"),
            Get("code_challenge"), Get("code_challenge_method"), Get("nonce"), Get("response_mode")));

        return outcome switch
        {
            SandboxTenant.AuthorizeOutcome.SignIn signIn => Html(SignInPage.Render(signIn, context.Request.PathBase + context.Request.Path + "/select")),
            SandboxTenant.AuthorizeOutcome.ErrorRedirect redirect => Results.Redirect(redirect.Location),
            SandboxTenant.AuthorizeOutcome.ErrorPage page => Html(SignInPage.RenderError(page.Title, page.Message), 400),
            _ => throw new InvalidOperationException("Unknown authorize outcome."),
        };
    }

    private static async Task<IResult> SelectUserAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
            return Html(SignInPage.RenderError("Bad request", "Expected a form post."), 400);
        IFormCollection form;
        try
        {
            form = await ReadFormAsync(context.Request, context.RequestAborted);
        }
        catch (OAuthException exception)
        {
            return Html(SignInPage.RenderError("Bad request", exception.Message), 400);
        }

        var transaction = form["transaction"].ToString();
        var sub = form.ContainsKey("cancel") ? null : form["sub"].ToString();
        var location = Tenant(context).CompleteAuthorization(transaction, sub);
        return location is null
            ? Html(SignInPage.RenderError("Sign-in expired", "This sign-in attempt is unknown or has expired. Go back to the application and start again."), 400)
            : Results.Redirect(location);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, TenantMount mount)
    {
        var claims = await Tenant(context).GetUserInfoAsync(SandboxHttp.BearerToken(context.Request), mount.BaseUrl(context.Request));
        if (claims is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.Text("Unauthorized", "text/plain", statusCode: 401);
        }

        return Results.Json(claims, SandboxHttp.Json);
    }

    private static IResult Logout(HttpContext context)
    {
        var clientId = context.Request.Query["client_id"].ToString();
        var returnTo = context.Request.Query["returnTo"].ToString();
        if (string.IsNullOrEmpty(returnTo))
            return Html(SignInPage.RenderError("Signed out", "You are signed out of the sandbox tenant."));
        if (string.IsNullOrEmpty(clientId))
            return Html(SignInPage.RenderError("Logout URL not allowed",
                "The sandbox tenant has no tenant-level logout URLs: send client_id with returnTo."), 400);
        return Tenant(context).IsAllowedLogoutUrl(clientId, returnTo)
            ? Results.Redirect(returnTo)
            : Html(SignInPage.RenderError("Logout URL not allowed",
                "The returnTo URL is not in the application's Allowed Logout URLs."), 400);
    }

    private static IResult Discovery(HttpContext context, TenantMount mount)
    {
        var baseUrl = mount.BaseUrl(context.Request);
        return SandboxHttp.JsonNode(new JsonObject
        {
            ["issuer"] = baseUrl,
            ["authorization_endpoint"] = baseUrl + "authorize",
            ["token_endpoint"] = baseUrl + "oauth/token",
            ["userinfo_endpoint"] = baseUrl + "userinfo",
            ["jwks_uri"] = baseUrl + ".well-known/jwks.json",
            ["end_session_endpoint"] = baseUrl + "v2/logout",
            ["response_types_supported"] = new JsonArray("code"),
            ["response_modes_supported"] = new JsonArray("query"),
            ["grant_types_supported"] = new JsonArray("authorization_code", "client_credentials"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["scopes_supported"] = new JsonArray("openid", "profile", "email"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post", "private_key_jwt"),
            ["token_endpoint_auth_signing_alg_values_supported"] = new JsonArray("RS256", "RS384", "PS256"),
        });
    }

    /// <summary>A form body that cannot be read (invalid characters, too many or too long fields) is the caller's error.</summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException exception)
        {
            throw OAuthException.InvalidRequest("The form body cannot be read: " + exception.Message);
        }
    }

    private static IResult Avatar(string nickname)
    {
        if (!IsNickname(nickname))
            return Results.NotFound();

        var initial = HtmlEncoder.Default.Encode(nickname.Length > 0 ? char.ToUpperInvariant(nickname[0]).ToString() : "?");
        var hue = Math.Abs(nickname.Aggregate(17, (hash, c) => unchecked((hash * 31) + c))) % 360;
        var svg = $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
              <rect width="64" height="64" rx="32" fill="hsl({hue},45%,45%)"/>
              <text x="32" y="41" font-family="system-ui,sans-serif" font-size="28" fill="#fff" text-anchor="middle">{initial}</text>
            </svg>
            """;
        return Results.Text(svg, "image/svg+xml", Encoding.UTF8);
    }

    private static bool IsNickname(string nickname) =>
        nickname.Length is > 0 and <= 64 && nickname.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && nickname.Trim('.').Length > 0;

    private static IResult Html(string html, int statusCode = 200) =>
        Results.Text(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
}
