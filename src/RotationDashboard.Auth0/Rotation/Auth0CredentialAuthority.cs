using System.Net;
using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Auth0.Rotation;

/// <summary>
/// The rotation engine's view of one Auth0 tenant, over the Management API client and the credential verifier.
/// Idempotent throughout: setting the same secret again is a harmless PATCH, adding a key whose kid already exists
/// returns the existing credential, deleting one that is gone counts as done. Auth0 errors become
/// <see cref="CredentialAuthorityException"/> with Auth0's status and retryability; their texts carry no secret.
/// </summary>
public sealed class Auth0CredentialAuthority(IAuth0ManagementClient management, Auth0CredentialVerifier verifier) : ICredentialAuthority
{
    // Only what the engine needs: never ask for client_secret (it would need read:client_keys and is not wanted).
    private static readonly string[] ClientFields = ["client_id", "name", "app_type", "token_endpoint_auth_method", "client_authentication_methods"];

    private Auth0TenantAddress Tenant => management.Connection.Tenant;

    public Task<ApplicationCredentials> GetApplicationAsync(string clientId, bool includeCredentials, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            var client = await management.GetClientAsync(clientId, ClientFields, cancellationToken);
            IReadOnlyList<Auth0ClientCredential> stored = includeCredentials
                ? await management.ListClientCredentialsAsync(clientId, cancellationToken)
                : [];
            var attached = client.PrivateKeyJwtCredentialIds.ToHashSet(StringComparer.Ordinal);
            var credentials = stored
                .Select(c => new PublicKeyCredential(c.Id, c.Kid, c.Name, attached.Contains(c.Id)))
                .Concat(attached.Where(id => stored.All(c => c.Id != id)).Select(id => new PublicKeyCredential(id, null, null, IsAttached: true)))
                .ToList();
            return new ApplicationCredentials(client.ClientId, client.Name, client.AppType, AuthMethodOf(client), credentials);
        });

    public Task SetClientSecretAsync(string clientId, string clientSecret, CancellationToken cancellationToken) =>
        CallAsync(() => management.UpdateClientAsync(clientId, ClientPatch.SetClientSecret(clientSecret), cancellationToken));

    public Task RevokeClientSecretAsync(string clientId, CancellationToken cancellationToken) =>
        // The new secret in the answer is discarded on purpose: nobody should hold it.
        CallAsync(() => management.RotateClientSecretAsync(clientId, cancellationToken));

    public async Task<CredentialCheck> VerifyClientSecretAsync(
        string clientId,
        string clientSecret,
        ClientSecretMethod method,
        CancellationToken cancellationToken)
    {
        var authentication = method == ClientSecretMethod.ClientSecretBasic
            ? ClientSecretAuthentication.ClientSecretBasic
            : ClientSecretAuthentication.ClientSecretPost;
        var check = await verifier.VerifyClientSecretAsync(Tenant, clientId, clientSecret, authentication, cancellationToken: cancellationToken);
        return ToCheck(check);
    }

    public Task<PublicKeyCredential> AddPublicKeyCredentialAsync(string clientId, NewPublicKeyCredential credential, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            if (await FindByKeyIdAsync(clientId, credential.KeyId, cancellationToken) is { } existing)
            {
                return existing;
            }

            try
            {
                var created = await management.CreateClientCredentialAsync(
                    clientId,
                    new NewClientCredential(credential.PublicKeyPem, credential.Name)
                    {
                        Kid = credential.KeyId,
                        ParseExpiryFromCert = credential.IsCertificate ? true : null,
                    },
                    cancellationToken);
                return new PublicKeyCredential(created.Id, created.Kid, created.Name, IsAttached: false);
            }
            catch (Auth0ApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
            {
                // An earlier attempt created it after all (its answer was lost): use that one.
                if (await FindByKeyIdAsync(clientId, credential.KeyId, cancellationToken) is { } created)
                {
                    return created;
                }

                throw;
            }
        });

    public Task AttachPublicKeyCredentialsAsync(string clientId, IReadOnlyList<string> credentialIds, CancellationToken cancellationToken) =>
        CallAsync(() => management.UpdateClientAsync(clientId, ClientPatch.UsePrivateKeyJwt(credentialIds), cancellationToken));

    public Task UseClientSecretAsync(string clientId, ClientSecretMethod method, CancellationToken cancellationToken) =>
        CallAsync(() => management.UpdateClientAsync(
            clientId,
            ClientPatch.UseClientSecret(method == ClientSecretMethod.ClientSecretBasic
                ? Auth0TokenEndpointAuthMethods.ClientSecretBasic
                : Auth0TokenEndpointAuthMethods.ClientSecretPost),
            cancellationToken));

    public Task<bool> DeleteCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken) =>
        CallAsync(() => management.DeleteClientCredentialAsync(clientId, credentialId, cancellationToken));

    public async Task<CredentialCheck> VerifyPrivateKeyAsync(string clientId, string privateKeyPem, string? keyId, CancellationToken cancellationToken)
    {
        var check = await verifier.VerifyPrivateKeyAsync(Tenant, clientId, privateKeyPem, keyId: keyId, cancellationToken: cancellationToken);
        return ToCheck(check);
    }

    private async Task<PublicKeyCredential?> FindByKeyIdAsync(string clientId, string keyId, CancellationToken cancellationToken)
    {
        var stored = await management.ListClientCredentialsAsync(clientId, cancellationToken);
        return stored.FirstOrDefault(c => string.Equals(c.Kid, keyId, StringComparison.Ordinal)) is { } match
            ? new PublicKeyCredential(match.Id, match.Kid, match.Name, IsAttached: false)
            : null;
    }

    private static ApplicationAuthMethod AuthMethodOf(Auth0Client client) =>
        client.UsesPrivateKeyJwt
            ? ApplicationAuthMethod.PrivateKeyJwt
            : client.TokenEndpointAuthMethod switch
            {
                Auth0TokenEndpointAuthMethods.None => ApplicationAuthMethod.None,
                Auth0TokenEndpointAuthMethods.ClientSecretBasic => ApplicationAuthMethod.ClientSecretBasic,
                _ => ApplicationAuthMethod.ClientSecretPost,
            };

    private static CredentialCheck ToCheck(TokenCheckResult check) => new(
        check.Outcome switch
        {
            TokenCheckOutcome.Valid or TokenCheckOutcome.AuthenticatedNotAuthorized => CredentialCheckOutcome.Accepted,
            TokenCheckOutcome.InvalidCredential => CredentialCheckOutcome.Rejected,
            TokenCheckOutcome.Transient => CredentialCheckOutcome.Transient,
            _ => CredentialCheckOutcome.Error,
        },
        check.Outcome == TokenCheckOutcome.AuthenticatedNotAuthorized
            ? $"authenticated; {check}"
            : check.ToString());

    private static async Task CallAsync(Func<Task> call) => await CallAsync(async () =>
    {
        await call();
        return true;
    });

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Auth0ApiException exception)
        {
            throw new CredentialAuthorityException(exception.Message, exception.IsTransient, (int?)exception.StatusCode, exception);
        }
    }
}

/// <summary>RSA key pairs for Private Key JWT credentials, with Auth0's kid (RFC 7638 thumbprint).</summary>
public sealed class RsaKeyPairGenerator : IKeyPairGenerator
{
    public GeneratedKeyPair Generate(int keySize)
    {
        var pair = RsaCredentialKeys.Generate(keySize);
        return new GeneratedKeyPair(pair.PrivateKeyPem, pair.PublicKeyPem, pair.KeyId, pair.KeySize);
    }

    public string ExportPublicKeyPem(string privateKeyPem) => RsaCredentialKeys.ExportPublicKeyPem(privateKeyPem);

    public string CreateSelfSignedCertificatePem(string privateKeyPem, string subjectName, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        RsaCredentialKeys.CreateSelfSignedCertificatePem(privateKeyPem, subjectName, notBefore, notAfter);
}
