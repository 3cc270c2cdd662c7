namespace RotationDashboard.Client;

/// <summary>
/// Where the Rotation Dashboard publishes the application's credentials (section <c>Auth0Client:Dashboard</c>).
/// Read with <c>GET {Url}api/v1/consumer/credential-sets/{key}?projectId&amp;environment&amp;secretPath</c> (the whole credential
/// set in one request), or secret by secret with <c>GET {Url}api/v1/consumer/secrets/{key}</c> from an older dashboard.
/// </summary>
public sealed class DashboardCredentialSourceOptions
{
    /// <summary>The dashboard's base URL, e.g. <c>https://rotation.example.com/</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>A dashboard API token with <c>secrets:read</c> on the path (sensitive).</summary>
    public string? ApiToken { get; set; }

    public string? ProjectId { get; set; }

    /// <summary>The environment slug, e.g. <c>dev</c> or <c>prod</c>.</summary>
    public string? Environment { get; set; }

    public string SecretPath { get; set; } = "/";

    /// <summary>
    /// The secret holding the client id (e.g. <c>AUTH0_CLIENT_ID</c>); null when the client id is configured directly
    /// (<see cref="Auth0ClientCredentialsOptions.ClientId"/>). When both are set, the secret wins.
    /// </summary>
    public string? ClientIdKey { get; set; }

    /// <summary>The secret holding the client secret (client secret rotations).</summary>
    public string? ClientSecretKey { get; set; }

    /// <summary>The secret holding the PEM private key (private_key_jwt rotations).</summary>
    public string? PrivateKeyKey { get; set; }

    /// <summary>The secret holding the private key's kid (optional).</summary>
    public string? KeyIdKey { get; set; }

    /// <summary>How often the values are re-read in the background.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Re-reads caused by rejected credentials happen at most this often, so a misconfigured consumer cannot hammer
    /// the dashboard.
    /// </summary>
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one read of the dashboard.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Allow plain http to a non-loopback dashboard (the API token would cross the network unencrypted).</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>Sets the key names from a <see cref="DashboardSecretKeys"/> preset.</summary>
    public DashboardCredentialSourceOptions UseKeys(DashboardSecretKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ClientIdKey = keys.ClientIdKey;
        ClientSecretKey = keys.ClientSecretKey;
        PrivateKeyKey = keys.PrivateKeyKey;
        KeyIdKey = keys.KeyIdKey;
        return this;
    }

    public override string ToString() =>
        $"DashboardCredentialSourceOptions {{ Url = {Url}, ProjectId = {ProjectId}, Environment = {Environment}, SecretPath = {SecretPath}, ApiToken = {(ApiToken is null ? "null" : "***")} }}";
}

/// <summary>The names of the dashboard secrets a consumer reads.</summary>
/// <param name="ClientIdKey">Null when the client id is configured directly (<see cref="Auth0ClientCredentialsOptions.ClientId"/>).</param>
public sealed record DashboardSecretKeys(string? ClientIdKey, string? ClientSecretKey, string? PrivateKeyKey = null, string? KeyIdKey = null)
{
    public const string DefaultClientIdKey = "AUTH0_CLIENT_ID";
    public const string DefaultClientSecretKey = "AUTH0_CLIENT_SECRET";
    public const string DefaultPrivateKeyKey = "AUTH0_PRIVATE_KEY";
    public const string DefaultKeyIdKey = "AUTH0_KEY_ID";

    /// <summary>A client secret rotation's secrets.</summary>
    public static DashboardSecretKeys ClientSecret(string clientSecretKey = DefaultClientSecretKey, string? clientIdKey = DefaultClientIdKey) =>
        new(clientIdKey, clientSecretKey);

    /// <summary>A private_key_jwt rotation's secrets.</summary>
    public static DashboardSecretKeys PrivateKey(string privateKeyKey = DefaultPrivateKeyKey, string? keyIdKey = DefaultKeyIdKey, string? clientIdKey = DefaultClientIdKey) =>
        new(clientIdKey, null, privateKeyKey, keyIdKey);
}
