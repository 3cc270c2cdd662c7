using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox;

// The Authentication API side: client authentication, tokens, the authorization-code flow and token validation.
public sealed partial class SandboxTenant
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan AuthorizationLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan IdTokenLifetime = TimeSpan.FromSeconds(36000);
    private static readonly string[] UserScopes = ["openid", "profile", "email"];
    private static readonly Regex CodeVerifierPattern = new("^[A-Za-z0-9._~-]{43,128}$", RegexOptions.CultureInvariant);
    private static readonly Regex CodeChallengePattern = new("^[A-Za-z0-9_-]{43}$", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, PendingAuthorization> _pendingAuthorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuthorizationCode> _authorizationCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ClientId, string Jti), DateTimeOffset> _usedAssertionIds = [];
    private readonly JsonWebTokenHandler _tokenHandler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };
    private SandboxIdTokenDefect _nextIdTokenDefect;

    private sealed record PendingAuthorization(
        string ClientId, string RedirectUri, IReadOnlyList<string> Scopes, string? State, string? CodeChallenge, string? Nonce, DateTimeOffset ExpiresAt);

    private sealed record AuthorizationCode(
        string ClientId, string RedirectUri, IReadOnlyList<string> Scopes, string? CodeChallenge, string? Nonce, string Sub, DateTimeOffset ExpiresAt);

    internal sealed record ClientAuthenticationRequest(
        string? ClientId, string? ClientSecret, string? BasicClientId, string? BasicSecret, string? Assertion, string? AssertionType);

    internal sealed record AuthenticatedClient(
        string ClientId,
        IReadOnlyList<string> GrantTypes,
        IReadOnlyList<string>? ManagementScopes,
        IReadOnlyDictionary<string, List<string>> ApiGrants);

    internal sealed record TokenResult(string AccessToken, long ExpiresIn, string Scope, string? IdToken);

    internal sealed record AuthorizeRequest(
        string? ResponseType, string? ClientId, string? RedirectUri, string? Scope, string? State,
        string? CodeChallenge, string? CodeChallengeMethod, string? Nonce, string? ResponseMode);

    internal abstract record AuthorizeOutcome
    {
        /// <summary>A problem Auth0 shows on its own page because the redirect target cannot be trusted.</summary>
        public sealed record ErrorPage(string Title, string Message) : AuthorizeOutcome;

        public sealed record ErrorRedirect(string Location) : AuthorizeOutcome;

        public sealed record SignIn(string TransactionId, string ClientName, IReadOnlyList<SandboxUser> Users) : AuthorizeOutcome;
    }

    // ---- /oauth/token ----

    /// <exception cref="OAuthException">401 access_denied for any credential problem; 400 for a malformed request.</exception>
    internal async Task<AuthenticatedClient> AuthenticateClientAsync(ClientAuthenticationRequest request, string tenantBaseUrl)
    {
        var hasBasic = request.BasicClientId is not null;
        var hasPostedSecret = !string.IsNullOrEmpty(request.ClientSecret);
        var hasAssertion = !string.IsNullOrEmpty(request.Assertion);
        if ((hasBasic ? 1 : 0) + (hasPostedSecret ? 1 : 0) + (hasAssertion ? 1 : 0) > 1)
            throw OAuthException.InvalidRequest("Only one client authentication method may be used per request.");
        if (hasBasic && request.ClientId is not null && request.ClientId != request.BasicClientId)
            throw OAuthException.InvalidRequest("client_id in the body does not match the Authorization header.");

        if (hasAssertion)
        {
            if (request.AssertionType != SandboxClientAssertion.AssertionType)
                throw OAuthException.InvalidRequest($"client_assertion_type must be {SandboxClientAssertion.AssertionType}.");
            return await AuthenticateWithAssertionAsync(request.Assertion!, request.ClientId, tenantBaseUrl);
        }

        var clientId = request.BasicClientId ?? request.ClientId;
        if (string.IsNullOrEmpty(clientId))
            throw Refuse(null, "no client_id");
        var secret = hasBasic ? request.BasicSecret : request.ClientSecret;

        lock (_gate)
        {
            var client = FindClientLocked(clientId) ?? throw Refuse(clientId, "unknown client");
            if (string.IsNullOrEmpty(secret))
            {
                // Only a public client may leave out a credential.
                if (client.UsesPrivateKeyJwt || client.TokenEndpointAuthMethod != "none")
                    throw Refuse(clientId, "no client credential sent");
                return ToAuthenticated(client);
            }

            if (client.UsesPrivateKeyJwt)
                throw Refuse(clientId, "client is configured for private_key_jwt; a secret cannot be used");
            if (client.TokenEndpointAuthMethod == "none" || client.ClientSecret is null)
                throw Refuse(clientId, "public client sent a secret");
            if (SecretsEqual(client.ClientSecret, secret))
                return ToAuthenticated(client);

            var now = _time.GetUtcNow();
            if (client.PreviousSecrets.Any(p => p.ValidUntil > now && SecretsEqual(p.Secret, secret)))
            {
                Log.PreviousSecretAccepted(_logger, clientId);
                return ToAuthenticated(client);
            }

            throw Refuse(clientId, "wrong client secret");
        }
    }

    /// <exception cref="OAuthException">403 for grant-type, audience, client-grant and scope problems.</exception>
    internal TokenResult IssueClientCredentialsToken(AuthenticatedClient client, string? audience, string? requestedScope, string tenantBaseUrl)
    {
        if (!client.GrantTypes.Contains("client_credentials"))
            throw RefuseGrant(client.ClientId, new OAuthException(403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client."));
        if (string.IsNullOrEmpty(audience))
            throw RefuseGrant(client.ClientId, new OAuthException(403, "access_denied",
                "No audience parameter was provided, and no default audience has been configured"));

        var managementAudience = tenantBaseUrl + "api/v2/";
        IReadOnlyList<string>? granted;
        if (audience == managementAudience)
        {
            granted = client.ManagementScopes;
        }
        else
        {
            lock (_gate)
            {
                if (_state.Apis.All(api => api.Identifier != audience))
                    throw RefuseGrant(client.ClientId, new OAuthException(403, "access_denied", $"Service not found: {audience}"));
            }

            granted = client.ApiGrants.TryGetValue(audience, out var apiScopes) ? apiScopes : null;
        }

        if (granted is null)
            throw RefuseGrant(client.ClientId, new OAuthException(403, "access_denied",
                $"Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API."));

        var scopes = granted.ToList();
        if (!string.IsNullOrWhiteSpace(requestedScope))
        {
            var requested = requestedScope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
            var missing = requested.Except(granted).ToList();
            if (missing.Count > 0)
                throw RefuseGrant(client.ClientId, new OAuthException(403, "access_denied", $"Client has not been granted scopes: {string.Join(", ", missing)}"));
            scopes = requested;
        }

        var scope = string.Join(' ', scopes);
        var now = _time.GetUtcNow();
        var lifetime = _options.AccessTokenLifetime;
        var token = IssueJwt(tenantBaseUrl, now, lifetime, new Dictionary<string, object>
        {
            ["sub"] = client.ClientId + "@clients",
            ["aud"] = audience,
            ["azp"] = client.ClientId,
            ["scope"] = scope,
            ["gty"] = "client-credentials",
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        Log.TokenIssued(_logger, "client_credentials", client.ClientId, audience);
        return new TokenResult(token, (long)lifetime.TotalSeconds, scope, null);
    }

    internal TokenResult ExchangeAuthorizationCode(AuthenticatedClient client, string? code, string? redirectUri, string? codeVerifier, string tenantBaseUrl)
    {
        if (!client.GrantTypes.Contains("authorization_code"))
            throw RefuseGrant(client.ClientId, new OAuthException(403, "unauthorized_client", "Grant type 'authorization_code' not allowed for the client."));
        if (string.IsNullOrEmpty(code))
            throw OAuthException.InvalidRequest("Missing required parameter: code");

        AuthorizationCode? issued;
        SandboxUser? user;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // Single use: the code is spent by the first exchange attempt, successful or not.
            _authorizationCodes.Remove(code, out issued);
            user = issued is null ? null : _state.Users.FirstOrDefault(u => u.Sub == issued.Sub);
        }

        if (issued is null || issued.ExpiresAt <= now || issued.ClientId != client.ClientId || user is null)
            throw RefuseGrant(client.ClientId, OAuthException.InvalidGrant("Invalid authorization code"));
        if (redirectUri != issued.RedirectUri)
            throw RefuseGrant(client.ClientId, OAuthException.InvalidGrant("redirect_uri does not match the one used at /authorize"));
        if (issued.CodeChallenge is not null)
        {
            if (string.IsNullOrEmpty(codeVerifier))
                throw RefuseGrant(client.ClientId, OAuthException.InvalidGrant("Missing code_verifier"));
            if (!CodeVerifierPattern.IsMatch(codeVerifier))
                throw RefuseGrant(client.ClientId, OAuthException.InvalidRequest("code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~"));
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(issued.CodeChallenge)))
                throw RefuseGrant(client.ClientId, OAuthException.InvalidGrant("Failed to verify code verifier"));
        }

        var scope = string.Join(' ', issued.Scopes);
        var lifetime = _options.AccessTokenLifetime;
        var accessToken = IssueJwt(tenantBaseUrl, now, lifetime, new Dictionary<string, object>
        {
            ["sub"] = user.Sub,
            ["aud"] = tenantBaseUrl + "userinfo",
            ["azp"] = client.ClientId,
            ["scope"] = scope,
            ["jti"] = Guid.NewGuid().ToString("N"),
        });

        string? idToken = null;
        if (issued.Scopes.Contains("openid"))
            idToken = IssueIdToken(client.ClientId, issued, user, now, tenantBaseUrl);

        Log.TokenIssued(_logger, "authorization_code", client.ClientId, tenantBaseUrl + "userinfo");
        return new TokenResult(accessToken, (long)lifetime.TotalSeconds, scope, idToken);
    }

    /// <summary>The defect the next ID token will carry; back to <see cref="SandboxIdTokenDefect.None"/> once it is issued.</summary>
    public SandboxIdTokenDefect NextIdTokenDefect
    {
        get { lock (_gate) return _nextIdTokenDefect; }
    }

    /// <summary>Makes the next ID token of the authorization-code flow defective (one-shot), to test relying parties.</summary>
    public void SetNextIdTokenDefect(SandboxIdTokenDefect defect)
    {
        if (!Enum.IsDefined(defect))
            throw new ArgumentOutOfRangeException(nameof(defect), "Unknown ID token defect.");
        lock (_gate)
            _nextIdTokenDefect = defect;
        Log.IdTokenDefectArmed(_logger, defect.ToString());
    }

    private string IssueIdToken(string clientId, AuthorizationCode issued, SandboxUser user, DateTimeOffset now, string tenantBaseUrl)
    {
        SandboxIdTokenDefect defect;
        lock (_gate)
        {
            defect = _nextIdTokenDefect;
            _nextIdTokenDefect = SandboxIdTokenDefect.None;
        }

        var claims = UserClaims(user, issued.Scopes, tenantBaseUrl);
        claims["aud"] = defect == SandboxIdTokenDefect.WrongAudience ? SandboxSeed.CustomerPortalClientId : clientId;
        if (defect == SandboxIdTokenDefect.WrongNonce)
            claims["nonce"] = Randomness.Token();
        else if (issued.Nonce is not null)
            claims["nonce"] = issued.Nonce;
        var issuedAt = defect == SandboxIdTokenDefect.Expired ? now - IdTokenLifetime - TimeSpan.FromHours(1) : now;
        var credentials = defect == SandboxIdTokenDefect.WrongSignature ? SigningKey.CreateImpostorCredentials() : SigningKey.Credentials;
        if (defect != SandboxIdTokenDefect.None)
            Log.DefectiveIdTokenIssued(_logger, defect.ToString(), clientId);
        return IssueJwt(tenantBaseUrl, issuedAt, IdTokenLifetime, claims, credentials);
    }

    // ---- /authorize ----

    internal AuthorizeOutcome BeginAuthorization(AuthorizeRequest request)
    {
        ClientRecord? client;
        lock (_gate)
            client = request.ClientId is null ? null : FindClientLocked(request.ClientId);
        if (client is null)
            return new AuthorizeOutcome.ErrorPage("Unknown client", "The client_id is missing or does not belong to this tenant.");

        string redirectUri;
        lock (_gate)
        {
            if (string.IsNullOrEmpty(request.RedirectUri))
            {
                if (client.Callbacks.Count != 1)
                    return new AuthorizeOutcome.ErrorPage("Missing redirect_uri", "The request has no redirect_uri and the application has no single default callback URL.");
                redirectUri = client.Callbacks[0];
            }
            else if (IsAllowedUrl(request.RedirectUri, client.Callbacks, client.AcceptsAnyLoopbackCallback))
            {
                redirectUri = request.RedirectUri;
            }
            else
            {
                return new AuthorizeOutcome.ErrorPage("Callback URL mismatch",
                    "The provided redirect_uri is not in the list of allowed callback URLs of the application.");
            }
        }

        AuthorizeOutcome Fail(string error, string description) =>
            new AuthorizeOutcome.ErrorRedirect(AppendQuery(redirectUri, ("error", error), ("error_description", description), ("state", request.State)));

        if (request.ResponseType != "code")
            return Fail("unsupported_response_type", $"Unsupported response type: {request.ResponseType}");
        if (request.ResponseMode is not (null or "" or "query"))
            return Fail("invalid_request", "The sandbox tenant supports response_mode=query only.");
        if (!client.GrantTypes.Contains("authorization_code"))
            return Fail("unauthorized_client", "Grant type 'authorization_code' not allowed for the client.");
        if (request.CodeChallenge is not null || request.CodeChallengeMethod is not null)
        {
            if (request.CodeChallengeMethod != "S256")
                return Fail("invalid_request", "Unsupported code_challenge_method: only S256 is allowed.");
            if (request.CodeChallenge is null || !CodeChallengePattern.IsMatch(request.CodeChallenge))
                return Fail("invalid_request", "code_challenge must be the base64url SHA-256 of the code_verifier.");
        }

        var scopes = (request.Scope ?? "openid").Split(' ', StringSplitOptions.RemoveEmptyEntries).Intersect(UserScopes).ToList();
        var now = _time.GetUtcNow();
        var transactionId = Randomness.Token();
        lock (_gate)
        {
            PruneExpiredLocked(now);
            _pendingAuthorizations[transactionId] = new PendingAuthorization(
                client.ClientId, redirectUri, scopes, request.State, request.CodeChallenge, request.Nonce, now + AuthorizationLifetime);
            return new AuthorizeOutcome.SignIn(transactionId, client.Name, _state.Users.ToList());
        }
    }

    /// <param name="sub">The chosen user; null when the user cancelled.</param>
    /// <returns>Where to send the browser: the redirect URI with code (or error) and state; null for an unknown or expired transaction.</returns>
    internal string? CompleteAuthorization(string transactionId, string? sub)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_pendingAuthorizations.Remove(transactionId, out var pending) || pending.ExpiresAt <= now)
                return null;
            if (sub is null)
                return AppendQuery(pending.RedirectUri, ("error", "access_denied"), ("error_description", "The user cancelled the sign-in"), ("state", pending.State));
            if (_state.Users.All(u => u.Sub != sub))
                return null;
            var code = Randomness.Token();
            _authorizationCodes[code] = new AuthorizationCode(
                pending.ClientId, pending.RedirectUri, pending.Scopes, pending.CodeChallenge, pending.Nonce, sub, now + AuthorizationLifetime);
            Log.UserSignedIn(_logger, sub, pending.ClientId);
            return AppendQuery(pending.RedirectUri, ("code", code), ("state", pending.State));
        }
    }

    internal bool IsAllowedLogoutUrl(string clientId, string returnTo)
    {
        lock (_gate)
        {
            var client = FindClientLocked(clientId);
            return client is not null && IsAllowedUrl(returnTo, client.AllowedLogoutUrls, client.AcceptsAnyLoopbackLogout);
        }
    }

    // ---- token validation ----

    /// <exception cref="ManagementApiException">401 with Auth0's message.</exception>
    internal async Task<ManagementCaller> ValidateManagementTokenAsync(string? bearer, string tenantBaseUrl)
    {
        if (string.IsNullOrEmpty(bearer))
            throw new ManagementApiException(401, "Missing authentication", null);
        var token = await ValidateTenantTokenAsync(bearer, tenantBaseUrl, tenantBaseUrl + "api/v2/");
        var scope = token.TryGetPayloadValue<string>("scope", out var value) ? value : "";
        var clientId = token.TryGetPayloadValue<string>("azp", out var azp) ? azp : token.Subject;
        return new ManagementCaller(clientId, scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
    }

    /// <returns>The claims /userinfo returns, or null when the token is not a valid user access token.</returns>
    internal async Task<Dictionary<string, object>?> GetUserInfoAsync(string? bearer, string tenantBaseUrl)
    {
        if (string.IsNullOrEmpty(bearer))
            return null;
        try
        {
            var token = await ValidateTenantTokenAsync(bearer, tenantBaseUrl, tenantBaseUrl + "userinfo");
            var scopes = (token.TryGetPayloadValue<string>("scope", out var value) ? value : "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!scopes.Contains("openid"))
                return null;
            SandboxUser? user;
            lock (_gate)
                user = _state.Users.FirstOrDefault(u => u.Sub == token.Subject);
            return user is null ? null : UserClaims(user, scopes, tenantBaseUrl);
        }
        catch (ManagementApiException)
        {
            return null;
        }
    }

    private async Task<JsonWebToken> ValidateTenantTokenAsync(string bearer, string issuer, string audience)
    {
        var result = await _tokenHandler.ValidateTokenAsync(bearer, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKey = SigningKey.SecurityKey,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
            throw InvalidToken("Invalid token");
        if (!token.Audiences.Contains(audience, StringComparer.Ordinal))
            throw InvalidToken($"Bad audience: {string.Join(" ", token.Audiences)}");
        if (!token.TryGetPayloadValue<long>("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) <= _time.GetUtcNow())
            throw InvalidToken("Expired token received for JSON Web Token validation");
        return token;
    }

    private static ManagementApiException InvalidToken(string message) => new(401, message, null);

    // ---- client assertions (private_key_jwt) ----

    private sealed record CandidateKey(string CredentialId, string Kid, string Alg, string PublicKeyPem);

    private async Task<AuthenticatedClient> AuthenticateWithAssertionAsync(string assertion, string? bodyClientId, string tenantBaseUrl)
    {
        if (Encoding.UTF8.GetByteCount(assertion) > 2048)
            throw Refuse(bodyClientId, "client assertion longer than 2048 bytes");
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            throw Refuse(bodyClientId, "client assertion is not a JWT");
        }

        var clientId = jwt.Issuer;
        if (string.IsNullOrEmpty(clientId) || clientId != jwt.Subject || clientId.Length > 64)
            throw Refuse(bodyClientId, "client assertion iss and sub must both be the client_id");
        if (bodyClientId is not null && bodyClientId != clientId)
            throw Refuse(bodyClientId, "client_id does not match the assertion's iss");
        if (!IsCredentialAlgorithm(jwt.Alg))
            throw Refuse(clientId, $"client assertion alg {jwt.Alg} is not allowed");

        var now = _time.GetUtcNow();
        List<CandidateKey> candidates;
        lock (_gate)
        {
            var client = FindClientLocked(clientId) ?? throw Refuse(clientId, "unknown client");
            if (!client.UsesPrivateKeyJwt)
                throw Refuse(clientId, "client is not configured for private_key_jwt");
            candidates = client.Credentials
                .Where(c => client.PrivateKeyJwtCredentialIds!.Contains(c.Id))
                .Where(c => string.IsNullOrEmpty(jwt.Kid) || c.Kid == jwt.Kid)
                .Where(c => c.Alg == jwt.Alg)
                .Where(c => c.ExpiresAt is null || c.ExpiresAt > now)
                .Select(c => new CandidateKey(c.Id, c.Kid, c.Alg, c.PublicKeyPem))
                .ToList();
        }

        if (candidates.Count == 0)
            throw Refuse(clientId, "no attached, unexpired credential matches the assertion's kid and alg");

        var verified = false;
        foreach (var candidate in candidates)
        {
            var key = _credentialKeys.GetOrAdd(candidate.CredentialId, _ => RsaPublicKeys.ToSecurityKey(candidate.PublicKeyPem, candidate.Kid));
            var result = await _tokenHandler.ValidateTokenAsync(assertion, new TokenValidationParameters
            {
                ValidIssuer = clientId,
                ValidateAudience = false,
                ValidateLifetime = false,
                IssuerSigningKey = key,
                ValidAlgorithms = [candidate.Alg],
            });
            if (result.IsValid)
            {
                verified = true;
                break;
            }
        }

        if (!verified)
            throw Refuse(clientId, "client assertion signature does not verify with an attached credential");
        if (!jwt.Audiences.Contains(tenantBaseUrl, StringComparer.Ordinal))
            throw Refuse(clientId, "client assertion aud is not the tenant base URL");
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
            throw Refuse(clientId, "client assertion has no exp");
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expiresAt <= now)
            throw Refuse(clientId, "client assertion expired");
        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) > now + ClockSkew)
            throw Refuse(clientId, "client assertion not yet valid (nbf)");
        if (jwt.TryGetPayloadValue<long>("iat", out var iat))
        {
            var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
            if (issuedAt > now + ClockSkew)
                throw Refuse(clientId, "client assertion issued in the future (iat)");
            if (expiresAt - issuedAt > MaxAssertionLifetime)
                throw Refuse(clientId, "client assertion lifetime exceeds 5 minutes");
        }
        else if (expiresAt - now > MaxAssertionLifetime + ClockSkew)
        {
            throw Refuse(clientId, "client assertion lifetime exceeds 5 minutes");
        }

        var jti = jwt.Id;
        if (string.IsNullOrEmpty(jti) || jti.Length > 64)
            throw Refuse(clientId, "client assertion needs a jti of at most 64 characters");

        lock (_gate)
        {
            PruneExpiredLocked(now);
            if (!_usedAssertionIds.TryAdd((clientId, jti), expiresAt))
                throw Refuse(clientId, "client assertion jti was already used");
            var client = FindClientLocked(clientId) ?? throw Refuse(clientId, "unknown client");
            return ToAuthenticated(client);
        }
    }

    // ---- helpers ----

    private string IssueJwt(string issuer, DateTimeOffset now, TimeSpan lifetime, Dictionary<string, object> claims, SigningCredentials? credentials = null)
    {
        claims["iss"] = issuer;
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["exp"] = (now + lifetime).ToUnixTimeSeconds();
        return _tokenHandler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = credentials ?? SigningKey.Credentials,
        });
    }

    private static Dictionary<string, object> UserClaims(SandboxUser user, IReadOnlyCollection<string> scopes, string tenantBaseUrl)
    {
        var claims = new Dictionary<string, object> { ["sub"] = user.Sub };
        if (scopes.Contains("profile"))
        {
            claims["name"] = user.Name;
            claims["nickname"] = user.Nickname;
            claims["picture"] = $"{tenantBaseUrl}avatars/{Uri.EscapeDataString(user.Nickname)}.svg";
            claims["updated_at"] = "2026-01-01T00:00:00.000Z";
        }

        if (scopes.Contains("email"))
        {
            claims["email"] = user.Email;
            claims["email_verified"] = user.EmailVerified;
        }

        return claims;
    }

    private static AuthenticatedClient ToAuthenticated(ClientRecord client) => new(
        client.ClientId,
        client.GrantTypes.ToList(),
        client.ManagementScopes?.ToList(),
        client.ApiGrants.ToDictionary(g => g.Key, g => g.Value.ToList()));

    private OAuthException Refuse(string? clientId, string reason)
    {
        Log.TokenRefused(_logger, clientId, reason);
        return OAuthException.Unauthorized();
    }

    private OAuthException RefuseGrant(string clientId, OAuthException exception)
    {
        Log.TokenRefused(_logger, clientId, exception.Message);
        return exception;
    }

    private void PruneExpiredLocked(DateTimeOffset now)
    {
        foreach (var (key, value) in _pendingAuthorizations.Where(p => p.Value.ExpiresAt <= now).ToList())
            _pendingAuthorizations.Remove(key);
        foreach (var (key, _) in _authorizationCodes.Where(c => c.Value.ExpiresAt <= now).ToList())
            _authorizationCodes.Remove(key);
        foreach (var (key, _) in _usedAssertionIds.Where(j => j.Value <= now).ToList())
            _usedAssertionIds.Remove(key);
    }

    private static bool IsAllowedUrl(string url, IReadOnlyCollection<string> allowed, bool anyLoopback)
    {
        if (allowed.Contains(url, StringComparer.Ordinal))
            return true;
        if (!anyLoopback || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return false;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));
    }

    private static string AppendQuery(string url, params (string Name, string? Value)[] parameters)
    {
        var builder = new StringBuilder(url);
        var separator = url.Contains('?') ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            if (value is null)
                continue;
            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }
}
