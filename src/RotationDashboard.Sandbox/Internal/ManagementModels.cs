namespace RotationDashboard.Sandbox.Internal;

/// <summary>Which parts of a client the caller's read scopes reveal (Auth0's field-level rules).</summary>
[Flags]
internal enum ClientView
{
    /// <summary>client_id, name, description, app_type: any of the read scopes.</summary>
    Basic = 0,

    /// <summary>Most settings: read:clients or read:client_keys.</summary>
    Settings = 1,

    /// <summary>client_secret and client_authentication_methods: read:client_keys or read:client_credentials.</summary>
    Keys = 2,

    Full = Settings | Keys,
}

internal sealed record FieldSelection(IReadOnlySet<string> Fields, bool Include);

internal sealed record ClientListQuery(
    int Page,
    int PerPage,
    bool IncludeTotals,
    IReadOnlySet<string>? AppTypes,
    bool? IsGlobal,
    bool? IsFirstParty,
    FieldSelection? Fields);

/// <summary>A PATCH body: a member that was absent is "no change"; Has* tells an explicit null from absence.</summary>
internal sealed class ClientPatch
{
    public string? Name { get; set; }
    public bool HasDescription { get; set; }
    public string? Description { get; set; }
    public string? ClientSecret { get; set; }
    public bool HasTokenEndpointAuthMethod { get; set; }
    public string? TokenEndpointAuthMethod { get; set; }
    public bool HasClientAuthenticationMethods { get; set; }
    public List<string>? PrivateKeyJwtCredentialIds { get; set; }
    public List<string>? Callbacks { get; set; }
    public List<string>? AllowedLogoutUrls { get; set; }
    public List<string>? GrantTypes { get; set; }

    /// <summary>Real Auth0 members the sandbox accepts but does not model.</summary>
    public List<string> IgnoredMembers { get; } = [];

    public IEnumerable<string> ChangedMembers()
    {
        if (Name is not null) yield return "name";
        if (HasDescription) yield return "description";
        if (ClientSecret is not null) yield return "client_secret";
        if (HasTokenEndpointAuthMethod) yield return "token_endpoint_auth_method";
        if (HasClientAuthenticationMethods) yield return "client_authentication_methods";
        if (Callbacks is not null) yield return "callbacks";
        if (AllowedLogoutUrls is not null) yield return "allowed_logout_urls";
        if (GrantTypes is not null) yield return "grant_types";
    }
}

internal sealed record CredentialCreateRequest(
    string CredentialType,
    string? Name,
    string Pem,
    string Alg,
    string? Kid,
    DateTimeOffset? ExpiresAt,
    bool ParseExpiryFromCert);

/// <summary>Who called the Management API, from a verified access token.</summary>
internal sealed record ManagementCaller(string ClientId, IReadOnlySet<string> Scopes)
{
    public bool HasAny(params IReadOnlyList<string> scopes) => scopes.Any(Scopes.Contains);
}
