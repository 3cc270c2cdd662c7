using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RotationDashboard.Sandbox.Internal;

namespace RotationDashboard.Sandbox;

// Clients and credentials: the Management API's rules, and the C# helpers tests and demos use to set the tenant up.
public sealed partial class SandboxTenant
{
    public const int MaxAttachedCredentials = 2;
    public const int MaxStoredCredentials = 4;

    private static readonly HashSet<string> CredentialAlgorithms = ["RS256", "RS384", "PS256"];
    private static readonly Regex KidPattern = new("^[0-9a-zA-Z_-]{10,64}$", RegexOptions.CultureInvariant);

    // ---- Test and demo helpers ----

    public IReadOnlyList<SandboxClientInfo> GetClients()
    {
        lock (_gate)
            return _state.Clients.Select(ToInfo).ToList();
    }

    public SandboxClientInfo? FindClient(string clientId)
    {
        lock (_gate)
            return FindClientLocked(clientId) is { } client ? ToInfo(client) : null;
    }

    /// <summary>The client's current secret (null for a public client).</summary>
    /// <exception cref="KeyNotFoundException">No such client.</exception>
    public string? GetClientSecret(string clientId)
    {
        lock (_gate)
            return (FindClientLocked(clientId) ?? throw NoSuchClient(clientId)).ClientSecret;
    }

    /// <exception cref="KeyNotFoundException">No such client.</exception>
    public IReadOnlyList<SandboxCredentialInfo> GetCredentials(string clientId)
    {
        lock (_gate)
            return ToInfo(FindClientLocked(clientId) ?? throw NoSuchClient(clientId)).Credentials;
    }

    /// <summary>
    /// Creates an application. A <see cref="SandboxAuthMethod.PrivateKeyJwt"/> client gets one generated, attached
    /// RS256 key, returned in <see cref="SandboxCreatedClient.KeyPair"/>.
    /// </summary>
    /// <param name="managementScopes">A client grant for the Management API with these scopes; null for none.</param>
    public SandboxCreatedClient CreateClient(
        string name,
        SandboxAppType appType = SandboxAppType.NonInteractive,
        SandboxAuthMethod authMethod = SandboxAuthMethod.ClientSecretPost,
        IEnumerable<string>? managementScopes = null,
        string? clientId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (authMethod == SandboxAuthMethod.PrivateKeyJwt && appType is SandboxAppType.Native or SandboxAppType.Spa)
            throw new ArgumentException("Private Key JWT is only available to confidential applications.", nameof(authMethod));

        var now = _time.GetUtcNow();
        var client = new ClientRecord
        {
            ClientId = clientId ?? Randomness.ClientId(),
            Name = name,
            AppType = AppTypeName(appType),
            ClientSecret = authMethod == SandboxAuthMethod.None ? null : Randomness.ClientSecret(),
            TokenEndpointAuthMethod = authMethod switch
            {
                SandboxAuthMethod.ClientSecretPost => "client_secret_post",
                SandboxAuthMethod.ClientSecretBasic => "client_secret_basic",
                SandboxAuthMethod.None => "none",
                _ => null,
            },
            GrantTypes = appType switch
            {
                SandboxAppType.NonInteractive => ["client_credentials"],
                SandboxAppType.RegularWeb => ["authorization_code", "implicit", "refresh_token", "client_credentials"],
                _ => ["authorization_code", "implicit", "refresh_token"],
            },
            ManagementScopes = managementScopes?.ToList(),
            CreatedAt = now,
        };

        SandboxKeyPair? keyPair = null;
        if (authMethod == SandboxAuthMethod.PrivateKeyJwt)
        {
            var credential = NewGeneratedCredential(Randomness.CredentialId(), $"{name} key 1", "RS256", 2048, null, now);
            client.Credentials.Add(credential);
            client.PrivateKeyJwtCredentialIds = [credential.Id];
            keyPair = ToKeyPair(credential);
        }

        lock (_gate)
        {
            if (FindClientLocked(client.ClientId) is not null)
                throw new InvalidOperationException($"A client with id '{client.ClientId}' already exists.");
            _state.Clients.Add(client);
            Persist();
        }

        Log.ClientCreated(_logger, client.ClientId, name);
        return new SandboxCreatedClient(client.ClientId, client.ClientSecret, keyPair);
    }

    /// <summary>A machine-to-machine client granted exactly <paramref name="scopes"/> on the Management API.</summary>
    public SandboxCreatedClient CreateManagementClient(string name, IEnumerable<string> scopes, string? clientId = null) =>
        CreateClient(name, SandboxAppType.NonInteractive, SandboxAuthMethod.ClientSecretPost, scopes.ToList(), clientId);

    /// <summary>Sets (or with null removes) the client's grant for the Management API.</summary>
    public void SetManagementGrant(string clientId, IEnumerable<string>? scopes)
    {
        lock (_gate)
        {
            (FindClientLocked(clientId) ?? throw NoSuchClient(clientId)).ManagementScopes = scopes?.ToList();
            Persist();
        }
    }

    /// <summary>Sets the client's secret as <c>PATCH {"client_secret":…}</c> does; the old one lives on for the propagation window.</summary>
    public void SetClientSecret(string clientId, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Helper(() =>
        {
            lock (_gate)
            {
                ReplaceSecretLocked(FindClientLocked(clientId) ?? throw NoSuchClient(clientId), secret, "helper");
                Persist();
            }
        });
    }

    /// <summary>Generates a new secret as <c>POST rotate-secret</c> does and returns it.</summary>
    public string RotateClientSecret(string clientId) =>
        Helper(() => RotateSecret(clientId)["client_secret"]!.GetValue<string>());

    /// <summary>
    /// Generates an RSA key pair and stores its public key as a credential of the client. When
    /// <paramref name="attach"/> is true the credential is also attached (switching the client to private_key_jwt),
    /// under the same limits as the Management API (at most 2 attached, 4 stored).
    /// </summary>
    public SandboxKeyPair AddPrivateKeyJwtCredential(
        string clientId,
        bool attach = true,
        string alg = "RS256",
        int keySize = 2048,
        string? name = null,
        DateTimeOffset? expiresAt = null)
    {
        if (!CredentialAlgorithms.Contains(alg))
            throw new ArgumentException("alg must be RS256, RS384 or PS256.", nameof(alg));
        var now = _time.GetUtcNow();
        var credential = NewGeneratedCredential(Randomness.CredentialId(), name ?? "", alg, keySize, expiresAt, now);
        return Helper(() =>
        {
            lock (_gate)
            {
                var client = FindClientLocked(clientId) ?? throw NoSuchClient(clientId);
                if (client.Credentials.Count >= MaxStoredCredentials)
                    throw TooManyCredentials();
                if (attach)
                {
                    if (client.AppType is "native" or "spa")
                        throw new ManagementApiException(400, "Private Key JWT authentication is only available to confidential applications.", "invalid_body");
                    var attached = (client.PrivateKeyJwtCredentialIds ?? []).Append(credential.Id).ToList();
                    if (attached.Count > MaxAttachedCredentials)
                        throw AttachedArrayTooLong(attached.Count);
                    client.PrivateKeyJwtCredentialIds = attached;
                    client.TokenEndpointAuthMethod = null;
                }

                client.Credentials.Add(credential);
                Persist();
            }

            Log.CredentialCreated(_logger, credential.Id, credential.Kid, clientId);
            return ToKeyPair(credential);
        });
    }

    /// <summary>Attaches exactly these credentials, as <c>PATCH client_authentication_methods</c> does.</summary>
    public void AttachCredentials(string clientId, params IReadOnlyList<string> credentialIds)
    {
        if (credentialIds.Count > MaxAttachedCredentials)
            throw new InvalidOperationException(AttachedArrayTooLong(credentialIds.Count).Message);
        Helper(() => UpdateClient(clientId, new ClientPatch
        {
            HasTokenEndpointAuthMethod = true,
            HasClientAuthenticationMethods = true,
            PrivateKeyJwtCredentialIds = credentialIds.ToList(),
        }));
    }

    /// <summary>Switches the client back to secret authentication, detaching all credentials.</summary>
    public void UseClientSecretAuthentication(string clientId, SandboxAuthMethod method = SandboxAuthMethod.ClientSecretPost)
    {
        if (method is not (SandboxAuthMethod.ClientSecretPost or SandboxAuthMethod.ClientSecretBasic))
            throw new ArgumentException("Use ClientSecretPost or ClientSecretBasic.", nameof(method));
        Helper(() => UpdateClient(clientId, new ClientPatch
        {
            HasTokenEndpointAuthMethod = true,
            TokenEndpointAuthMethod = method == SandboxAuthMethod.ClientSecretPost ? "client_secret_post" : "client_secret_basic",
            HasClientAuthenticationMethods = true,
        }));
    }

    /// <summary>The key pair of a credential the sandbox generated itself (seed or helpers); null otherwise.</summary>
    public SandboxKeyPair? GetKeyPair(string clientId, string credentialId)
    {
        lock (_gate)
        {
            var credential = FindClientLocked(clientId)?.Credentials.FirstOrDefault(c => c.Id == credentialId);
            return credential?.PrivateKeyPem is null ? null : ToKeyPair(credential);
        }
    }

    // ---- Management API operations (called by the HTTP layer after authentication and scope checks) ----

    internal JsonNode ListClients(ClientListQuery query, ClientView view)
    {
        lock (_gate)
        {
            var matching = _state.Clients
                .Where(c => query.AppTypes is null || (c.AppType is not null && query.AppTypes.Contains(c.AppType)))
                .Where(c => query.IsGlobal is null || c.Global == query.IsGlobal)
                .Where(c => query.IsFirstParty is null || c.IsFirstParty == query.IsFirstParty)
                .ToList();
            var page = new JsonArray(matching
                .Skip(query.Page * query.PerPage)
                .Take(query.PerPage)
                .Select(c => (JsonNode)ClientJson.Render(c, view, query.Fields))
                .ToArray());
            if (!query.IncludeTotals)
                return page;
            return new JsonObject
            {
                ["start"] = query.Page * query.PerPage,
                ["limit"] = query.PerPage,
                ["length"] = page.Count,
                ["total"] = matching.Count,
                ["clients"] = page,
            };
        }
    }

    internal JsonObject GetClientJson(string clientId, ClientView view, FieldSelection? fields)
    {
        lock (_gate)
            return ClientJson.Render(RequireClientLocked(clientId), view, fields);
    }

    internal JsonObject UpdateClient(string clientId, ClientPatch patch)
    {
        lock (_gate)
        {
            var client = RequireClientLocked(clientId);

            if (patch.HasTokenEndpointAuthMethod || patch.HasClientAuthenticationMethods)
            {
                var method = patch.HasTokenEndpointAuthMethod ? patch.TokenEndpointAuthMethod : client.TokenEndpointAuthMethod;
                var attached = patch.HasClientAuthenticationMethods ? patch.PrivateKeyJwtCredentialIds : client.PrivateKeyJwtCredentialIds;
                if (method is not null && attached is not null)
                    throw new ManagementApiException(400,
                        "token_endpoint_auth_method and client_authentication_methods are mutually exclusive: set one of them to null.",
                        "invalid_body");
                if (method is null && attached is null)
                    throw new ManagementApiException(400,
                        "The client needs an authentication method: set token_endpoint_auth_method or client_authentication_methods.",
                        "invalid_body");
                if (patch.HasClientAuthenticationMethods && attached is not null)
                {
                    if (client.AppType is "native" or "spa")
                        throw new ManagementApiException(400,
                            "Private Key JWT authentication is only available to confidential applications.", "invalid_body");
                    foreach (var id in attached)
                    {
                        if (client.Credentials.All(c => c.Id != id))
                            throw ManagementApiException.InvalidBodyOn(
                                $"Credential {id} does not belong to this client", "client_authentication_methods.private_key_jwt.credentials");
                    }
                }
            }

            if (patch.ClientSecret is not null)
                ReplaceSecretLocked(client, patch.ClientSecret, "PATCH");
            if (patch.HasTokenEndpointAuthMethod)
                client.TokenEndpointAuthMethod = patch.TokenEndpointAuthMethod;
            if (patch.HasClientAuthenticationMethods)
                client.PrivateKeyJwtCredentialIds = patch.PrivateKeyJwtCredentialIds;
            if (patch.Name is not null)
                client.Name = patch.Name;
            if (patch.HasDescription)
                client.Description = patch.Description;
            if (patch.Callbacks is not null)
                client.Callbacks = patch.Callbacks;
            if (patch.AllowedLogoutUrls is not null)
                client.AllowedLogoutUrls = patch.AllowedLogoutUrls;
            if (patch.GrantTypes is not null)
                client.GrantTypes = patch.GrantTypes;

            Persist();
            Log.ClientUpdated(_logger, clientId, string.Join(",", patch.ChangedMembers()));
            return ClientJson.Render(client, ClientView.Full);
        }
    }

    internal JsonObject RotateSecret(string clientId)
    {
        lock (_gate)
        {
            var client = RequireClientLocked(clientId);
            if (client.UsesPrivateKeyJwt)
                throw new ManagementApiException(400,
                    "The client secret cannot be rotated for a client configured for Private Key JWT authentication.",
                    "operation_not_supported");
            ReplaceSecretLocked(client, Randomness.ClientSecret(), "rotate-secret");
            Persist();
            return ClientJson.Render(client, ClientView.Full);
        }
    }

    internal JsonArray ListCredentials(string clientId)
    {
        lock (_gate)
            return new JsonArray(RequireClientLocked(clientId).Credentials.Select(c => (JsonNode)ClientJson.RenderCredential(c)).ToArray());
    }

    internal JsonObject GetCredential(string clientId, string credentialId)
    {
        lock (_gate)
            return ClientJson.RenderCredential(RequireCredentialLocked(RequireClientLocked(clientId), credentialId));
    }

    internal JsonObject CreateCredential(string clientId, CredentialCreateRequest request)
    {
        // Parse outside the lock: it is the slow part and needs no state.
        var key = RsaPublicKeys.Parse(request.Pem);
        var now = _time.GetUtcNow();
        if (request.ParseExpiryFromCert && key.CertificateNotAfter is null)
            throw ManagementApiException.InvalidBodyOn("parse_expiry_from_cert requires an X.509 certificate PEM", "parse_expiry_from_cert");
        var expiresAt = request.ParseExpiryFromCert ? key.CertificateNotAfter : request.ExpiresAt;
        if (expiresAt is { } expiry && expiry <= now)
            throw ManagementApiException.InvalidBodyOn("expires_at must be in the future", "expires_at");

        lock (_gate)
        {
            var client = RequireClientLocked(clientId);
            if (client.Credentials.Count >= MaxStoredCredentials)
                throw TooManyCredentials();
            if (client.Credentials.Any(c => c.PublicKeyPem == key.SpkiPem))
                throw new ManagementApiException(409, "credentials contains public keys that already exist in client", "conflict");
            var kid = request.Kid ?? key.Thumbprint;
            if (client.Credentials.Any(c => c.Kid == kid))
                throw new ManagementApiException(409, "A credential with this kid already exists on the client", "conflict");

            var credential = new CredentialRecord
            {
                Id = Randomness.CredentialId(),
                Name = request.Name ?? "",
                CredentialType = request.CredentialType,
                Kid = kid,
                Alg = request.Alg,
                PublicKeyPem = key.SpkiPem,
                CreatedAt = now,
                UpdatedAt = now,
                ExpiresAt = expiresAt,
            };
            client.Credentials.Add(credential);
            Persist();
            Log.CredentialCreated(_logger, credential.Id, credential.Kid, clientId);
            return ClientJson.RenderCredential(credential);
        }
    }

    internal JsonObject UpdateCredentialExpiry(string clientId, string credentialId, DateTimeOffset? expiresAt)
    {
        lock (_gate)
        {
            var credential = RequireCredentialLocked(RequireClientLocked(clientId), credentialId);
            credential.ExpiresAt = expiresAt;
            credential.UpdatedAt = _time.GetUtcNow();
            Persist();
            return ClientJson.RenderCredential(credential);
        }
    }

    internal void DeleteCredential(string clientId, string credentialId)
    {
        lock (_gate)
        {
            var client = RequireClientLocked(clientId);
            var credential = RequireCredentialLocked(client, credentialId);
            if (client.PrivateKeyJwtCredentialIds?.Contains(credentialId) == true)
                throw new ManagementApiException(400, "Cannot delete credential still associated with a client", "invalid_request");
            client.Credentials.Remove(credential);
            _credentialKeys.TryRemove(credentialId, out _);
            Persist();
        }

        Log.CredentialDeleted(_logger, credentialId, clientId);
    }

    internal static bool IsValidKid(string kid) => KidPattern.IsMatch(kid);

    internal static bool IsCredentialAlgorithm(string alg) => CredentialAlgorithms.Contains(alg);

    internal static ManagementApiException AttachedArrayTooLong(int count) =>
        ManagementApiException.InvalidBodyOn(
            $"Array is too long ({count}), maximum {MaxAttachedCredentials}",
            "client_authentication_methods.private_key_jwt.credentials (Private Key JWT credentials)");

    // ---- internals ----

    private void ReplaceSecretLocked(ClientRecord client, string secret, string cause)
    {
        var now = _time.GetUtcNow();
        client.PreviousSecrets.RemoveAll(p => p.ValidUntil <= now);
        if (client.ClientSecret is { } old && !SecretsEqual(old, secret) && _propagationWindow > TimeSpan.Zero)
            client.PreviousSecrets.Add(new PreviousSecret { Secret = old, ValidUntil = now + _propagationWindow });
        client.ClientSecret = secret;
        Log.SecretChanged(_logger, client.ClientId, cause, _propagationWindow);
    }

    private static CredentialRecord RequireCredentialLocked(ClientRecord client, string credentialId) =>
        client.Credentials.FirstOrDefault(c => c.Id == credentialId) ?? throw ManagementApiException.CredentialNotFound();

    private static ManagementApiException TooManyCredentials() =>
        new(400, $"A client can have a maximum of {MaxStoredCredentials} credentials.", "invalid_request");

    private static KeyNotFoundException NoSuchClient(string clientId) => new($"The sandbox has no client '{clientId}'.");

    // Helpers answer with ordinary .NET exceptions, not the HTTP layer's internal ones.
    private static T Helper<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ManagementApiException exception) when (exception.StatusCode == 404)
        {
            throw new KeyNotFoundException(exception.Message);
        }
        catch (ManagementApiException exception)
        {
            throw new InvalidOperationException(exception.Message);
        }
    }

    private static void Helper(Action action) => Helper(() =>
    {
        action();
        return true;
    });

    private static string AppTypeName(SandboxAppType appType) => appType switch
    {
        SandboxAppType.NonInteractive => "non_interactive",
        SandboxAppType.RegularWeb => "regular_web",
        SandboxAppType.Native => "native",
        SandboxAppType.Spa => "spa",
        _ => throw new ArgumentOutOfRangeException(nameof(appType), appType, null),
    };

    private static SandboxKeyPair ToKeyPair(CredentialRecord credential) =>
        new(credential.Id, credential.Kid, credential.Alg, credential.PrivateKeyPem!, credential.PublicKeyPem);

    private static SandboxClientInfo ToInfo(ClientRecord client) => new(
        client.ClientId,
        client.Name,
        client.AppType,
        client.Global,
        client.UsesPrivateKeyJwt
            ? SandboxAuthMethod.PrivateKeyJwt
            : client.TokenEndpointAuthMethod switch
            {
                "client_secret_basic" => SandboxAuthMethod.ClientSecretBasic,
                "none" => SandboxAuthMethod.None,
                _ => SandboxAuthMethod.ClientSecretPost,
            },
        client.ClientSecret,
        client.ManagementScopes?.ToList(),
        client.Credentials.Select(c => new SandboxCredentialInfo(
            c.Id, c.Name, c.Kid, c.Alg, c.CreatedAt, c.ExpiresAt,
            client.PrivateKeyJwtCredentialIds?.Contains(c.Id) == true)).ToList());
}
