namespace RotationDashboard.Sandbox.Internal;

// The persisted shape of the tenant. Mutable on purpose: it is only touched under SandboxTenant's lock.

internal sealed class TenantState
{
    public int SchemaVersion { get; set; } = 1;

    /// <summary>PKCS#8 PEM of the key that signs the tenant's tokens; kept so issued tokens survive a restart.</summary>
    public string SigningKeyPem { get; set; } = "";

    public List<ClientRecord> Clients { get; set; } = [];

    public List<SandboxUser> Users { get; set; } = [];

    /// <summary>APIs besides the Management API, so verifying a rotated app can end in a real 200.</summary>
    public List<ApiRecord> Apis { get; set; } = [];
}

internal sealed class ApiRecord
{
    public string Identifier { get; set; } = "";
    public string Name { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
}

internal sealed class ClientRecord
{
    public string ClientId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? AppType { get; set; }
    public bool Global { get; set; }
    public bool IsFirstParty { get; set; } = true;
    public string? ClientSecret { get; set; }

    /// <summary>Secrets replaced less than the propagation window ago; they still authenticate until ValidUntil.</summary>
    public List<PreviousSecret> PreviousSecrets { get; set; } = [];

    /// <summary>none, client_secret_post or client_secret_basic; null while client_authentication_methods is set.</summary>
    public string? TokenEndpointAuthMethod { get; set; }

    /// <summary>Ids attached under client_authentication_methods.private_key_jwt; null when that member is null.</summary>
    public List<string>? PrivateKeyJwtCredentialIds { get; set; }

    public List<string> GrantTypes { get; set; } = [];
    public List<string> Callbacks { get; set; } = [];
    public List<string> AllowedLogoutUrls { get; set; } = [];

    /// <summary>The login app accepts any loopback callback when no URL is configured.</summary>
    public bool AcceptsAnyLoopbackCallback { get; set; }

    /// <summary>The login app accepts any loopback logout return URL when no URL is configured.</summary>
    public bool AcceptsAnyLoopbackLogout { get; set; }

    /// <summary>The client grant for the Management API; null when the client has none.</summary>
    public List<string>? ManagementScopes { get; set; }

    /// <summary>Client grants for the other APIs, by API identifier.</summary>
    public Dictionary<string, List<string>> ApiGrants { get; set; } = [];

    public List<CredentialRecord> Credentials { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public bool UsesPrivateKeyJwt => PrivateKeyJwtCredentialIds is not null;
}

internal sealed class PreviousSecret
{
    public string Secret { get; set; } = "";
    public DateTimeOffset ValidUntil { get; set; }
}

internal sealed class CredentialRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string CredentialType { get; set; } = "public_key";
    public string Kid { get; set; } = "";
    public string Alg { get; set; } = "RS256";

    /// <summary>The public key as SPKI PEM, whatever form it was posted in.</summary>
    public string PublicKeyPem { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Known only for keys the sandbox generated itself (seed and test helpers), so demos can sign as the app.</summary>
    public string? PrivateKeyPem { get; set; }
}
