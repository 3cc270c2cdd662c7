namespace RotationDashboard.Client;

/// <summary>How a client secret travels to <c>/oauth/token</c>; must match the application's setting in Auth0.</summary>
public enum ClientSecretAuthentication
{
    /// <summary><c>client_secret_post</c>: in the form body.</summary>
    ClientSecretPost,

    /// <summary><c>client_secret_basic</c>: in an <c>Authorization: Basic</c> header.</summary>
    ClientSecretBasic,
}

/// <summary>
/// Settings of an Auth0 client-credentials token client (configuration section <c>Auth0Client</c> by convention).
/// </summary>
public sealed class Auth0ClientCredentialsOptions
{
    public const string DefaultSectionName = "Auth0Client";

    /// <summary>
    /// The tenant: a domain (<c>my-tenant.eu.auth0.com</c>, reached over https) or a base URL, which may carry a path
    /// (<c>http://127.0.0.1:5123/</c>, <c>http://localhost:5000/sandbox-tenant/</c>).
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>The application's client id. With the dashboard source it may instead come from a secret (<see cref="DashboardCredentialSourceOptions.ClientIdKey"/>).</summary>
    public string? ClientId { get; set; }

    /// <summary>The API to get tokens for. Default: the tenant's Management API, <c>{base}api/v2/</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>Space-separated scopes to request; null asks for everything granted.</summary>
    public string? Scope { get; set; }

    public ClientSecretAuthentication ClientSecretAuthentication { get; set; } = ClientSecretAuthentication.ClientSecretPost;

    /// <summary>Algorithm of private_key_jwt assertions: RS256 (default), RS384 or PS256, as registered with the credential.</summary>
    public string SigningAlgorithm { get; set; } = "RS256";

    /// <summary>Lifetime of a client assertion; Auth0 allows at most 5 minutes.</summary>
    public TimeSpan ClientAssertionLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The CURRENT credential of the static (configuration) source.</summary>
    public Auth0CredentialOptions? Current { get; set; }

    /// <summary>The NEXT credential of the static source, used when Auth0 rejects CURRENT.</summary>
    public Auth0CredentialOptions? Next { get; set; }

    /// <summary>When set, credentials are read from the Rotation Dashboard instead of <see cref="Current"/>/<see cref="Next"/>.</summary>
    public DashboardCredentialSourceOptions? Dashboard { get; set; }

    /// <summary>Reuse an access token until shortly before it expires. Off: every call asks Auth0.</summary>
    public bool CacheTokens { get; set; } = true;

    /// <summary>How long before expiry a cached token is replaced (at most half its lifetime).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one token request attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of the same credential after 429, 5xx, 408, a timeout or a network error.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First back-off delay after a 5xx or timeout; doubles each retry (with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest wait before a retry. A 429 asking for a longer wait (Retry-After or x-ratelimit-reset) is not
    /// retried: it surfaces as an <see cref="Auth0TokenException"/> carrying the requested delay.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Allow plain http to a non-loopback tenant (credentials would cross the network unencrypted).
    /// Loopback addresses (the sandbox) are always allowed.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>Set by the DI builder: which source the options describe (null: the dashboard when configured, else static).</summary>
    internal CredentialSourceKind? SourceKind { get; set; }

    internal CredentialSourceKind EffectiveSourceKind => SourceKind ?? (Dashboard is null ? CredentialSourceKind.Static : CredentialSourceKind.Dashboard);

    public override string ToString() => $"Auth0ClientCredentialsOptions {{ Domain = {Domain}, ClientId = {ClientId}, Audience = {Audience} }}";
}

/// <summary>One configured credential: a client secret, or a private key with its optional key id.</summary>
public sealed class Auth0CredentialOptions
{
    public string? ClientSecret { get; set; }

    /// <summary>PEM RSA private key (PKCS#8 or PKCS#1).</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>The Auth0 credential's kid, sent in the assertion header.</summary>
    public string? KeyId { get; set; }

    internal bool IsEmpty => string.IsNullOrEmpty(ClientSecret) && string.IsNullOrWhiteSpace(PrivateKeyPem);

    public override string ToString() =>
        $"Auth0CredentialOptions {{ ClientSecret = {(ClientSecret is null ? "null" : "***")}, PrivateKeyPem = {(PrivateKeyPem is null ? "null" : "***")}, KeyId = {KeyId} }}";
}

internal enum CredentialSourceKind
{
    Static,
    Dashboard,
    Custom,
}
