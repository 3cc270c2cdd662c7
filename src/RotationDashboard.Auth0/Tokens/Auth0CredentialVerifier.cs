using Microsoft.Extensions.Logging;
using RotationDashboard.Auth0.Http;
using RotationDashboard.Auth0.Tokens;

namespace RotationDashboard.Auth0;

/// <summary>
/// Proves a credential works by requesting a token with it (one attempt; the caller retries for Auth0's propagation
/// delay). Valid and AuthenticatedNotAuthorized both mean Auth0 accepted the credential.
/// </summary>
public sealed class Auth0CredentialVerifier(
    IAuth0TokenClient tokenClient,
    ClientAssertionFactory assertionFactory,
    ILogger<Auth0CredentialVerifier> logger)
{
    public async Task<TokenCheckResult> VerifyClientSecretAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string clientSecret,
        ClientSecretAuthentication method = ClientSecretAuthentication.ClientSecretPost,
        string? audience = null,
        CancellationToken cancellationToken = default)
    {
        var result = await tokenClient
            .RequestTokenWithSecretAsync(tenant, clientId, clientSecret, method, audience, cancellationToken)
            .ConfigureAwait(false);
        Log(tenant, clientId, method == ClientSecretAuthentication.ClientSecretBasic ? "client_secret_basic" : "client_secret_post", result.Check);
        return result.Check;
    }

    /// <param name="privateKeyPem">Unencrypted PKCS#8 or PKCS#1 RSA private key.</param>
    /// <param name="algorithm">The credential's alg (RS256, RS384 or PS256).</param>
    /// <param name="keyId">The credential's kid, sent as the JWT kid header when given.</param>
    public async Task<TokenCheckResult> VerifyPrivateKeyAsync(
        Auth0TenantAddress tenant,
        string clientId,
        string privateKeyPem,
        string algorithm = Auth0CredentialAlgorithms.RS256,
        string? keyId = null,
        string? audience = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        using var key = ClientAssertionKey.FromPem(privateKeyPem, algorithm, keyId);
        var assertion = assertionFactory.CreateAssertion(tenant, clientId, key);
        var result = await tokenClient
            .RequestTokenWithAssertionAsync(tenant, clientId, assertion, audience, cancellationToken)
            .ConfigureAwait(false);
        Log(tenant, clientId, "private_key_jwt", result.Check);
        return result.Check;
    }

    private void Log(Auth0TenantAddress tenant, string clientId, string method, TokenCheckResult check) =>
        Auth0Log.TokenCheck(logger, clientId, tenant.ToString(), method, check.Outcome.ToString(),
            check.StatusCode is { } status ? (int)status : null, check.Error);
}
