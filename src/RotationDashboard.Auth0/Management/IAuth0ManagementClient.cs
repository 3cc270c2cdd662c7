namespace RotationDashboard.Auth0;

/// <summary>
/// The Management API calls the dashboard uses, for one connection. Every call throws
/// <see cref="Auth0ApiException"/> on an error status or when the retry budget is spent.
/// </summary>
public interface IAuth0ManagementClient
{
    Auth0ConnectionSettings Connection { get; }

    /// <summary>Scopes granted to the current Management API token (fetches a token if none is cached).</summary>
    Task<IReadOnlySet<string>> GetGrantedScopesAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /clients</c>, one page.</summary>
    Task<Auth0ClientPage> ListClientsAsync(ListClientsRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every client, 100 per page, stopping when <c>total</c> clients were read (no extra empty-page request).
    /// Page and PerPage of <paramref name="filter"/> are ignored.
    /// </summary>
    Task<IReadOnlyList<Auth0Client>> ListAllClientsAsync(ListClientsRequest? filter = null, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clients/{id}</c>, optionally limited to <paramref name="fields"/>.</summary>
    Task<Auth0Client> GetClientAsync(string clientId, IReadOnlyList<string>? fields = null, CancellationToken cancellationToken = default);

    /// <summary><c>PATCH /clients/{id}</c>; returns the updated client.</summary>
    Task<Auth0Client> UpdateClientAsync(string clientId, ClientPatch patch, CancellationToken cancellationToken = default);

    /// <summary><c>POST /clients/{id}/rotate-secret</c>: Auth0 generates the secret; the result carries it.</summary>
    Task<Auth0Client> RotateClientSecretAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clients/{id}/credentials</c>.</summary>
    Task<IReadOnlyList<Auth0ClientCredential>> ListClientCredentialsAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary><c>POST /clients/{id}/credentials</c> (201). The credential stays disabled until attached with a PATCH.</summary>
    Task<Auth0ClientCredential> CreateClientCredentialAsync(string clientId, NewClientCredential credential, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clients/{id}/credentials/{credentialId}</c>.</summary>
    Task<Auth0ClientCredential> GetClientCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken = default);

    /// <summary><c>PATCH /clients/{id}/credentials/{credentialId}</c> with <c>{"expires_at":…}</c>, the only mutable member.</summary>
    Task<Auth0ClientCredential> UpdateClientCredentialExpiryAsync(string clientId, string credentialId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>DELETE /clients/{id}/credentials/{credentialId}</c> (204). Returns false when it was already gone (404).
    /// Auth0 refuses (400) to delete a credential that is still attached.
    /// </summary>
    Task<bool> DeleteClientCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken = default);
}

/// <summary>Creates clients per connection; a singleton that owns the token cache and the per-tenant limiters.</summary>
public interface IAuth0ManagementClientFactory
{
    IAuth0ManagementClient Create(Auth0ConnectionSettings connection);
}
