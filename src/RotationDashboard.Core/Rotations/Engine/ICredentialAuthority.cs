namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// The identity provider side of a rotation (Auth0): where credentials are set, added, removed and tested.
/// Every operation is idempotent so a resumed run can repeat it. Failures throw
/// <see cref="CredentialAuthorityException"/>; verification never throws for the provider's answer.
/// </summary>
public interface ICredentialAuthority
{
    /// <summary>
    /// How the application authenticates today and, with <paramref name="includeCredentials"/>, which public-key
    /// credentials it stores (listing them needs a scope client-secret rotations do not ask for).
    /// </summary>
    /// <exception cref="CredentialAuthorityException">The application does not exist (status 404), or the call failed.</exception>
    Task<ApplicationCredentials> GetApplicationAsync(string clientId, bool includeCredentials, CancellationToken cancellationToken);

    /// <summary>Sets the application's client secret (setting the same value again changes nothing).</summary>
    Task SetClientSecretAsync(string clientId, string clientSecret, CancellationToken cancellationToken);

    /// <summary>Makes the provider generate a new secret nobody knows, so every copy of the old one stops working.</summary>
    Task RevokeClientSecretAsync(string clientId, CancellationToken cancellationToken);

    Task<CredentialCheck> VerifyClientSecretAsync(
        string clientId,
        string clientSecret,
        ClientSecretMethod method,
        CancellationToken cancellationToken);

    /// <summary>
    /// Stores a public key as a (detached) credential of the application. When a credential with the same key id
    /// already exists it is returned instead (a repeated Apply).
    /// </summary>
    Task<PublicKeyCredential> AddPublicKeyCredentialAsync(string clientId, NewPublicKeyCredential credential, CancellationToken cancellationToken);

    /// <summary>Makes exactly these credentials the application's Private Key JWT credentials (the list replaces the old one).</summary>
    Task AttachPublicKeyCredentialsAsync(string clientId, IReadOnlyList<string> credentialIds, CancellationToken cancellationToken);

    /// <summary>Switches the application back to client-secret authentication (detaching every key).</summary>
    Task UseClientSecretAsync(string clientId, ClientSecretMethod method, CancellationToken cancellationToken);

    /// <summary>Deletes a detached credential; false when it was already gone.</summary>
    Task<bool> DeleteCredentialAsync(string clientId, string credentialId, CancellationToken cancellationToken);

    Task<CredentialCheck> VerifyPrivateKeyAsync(
        string clientId,
        string privateKeyPem,
        string? keyId,
        CancellationToken cancellationToken);
}

/// <summary>Creates the <see cref="ICredentialAuthority"/> for a rotation's connection.</summary>
public interface ICredentialAuthorityFactory
{
    /// <exception cref="CredentialAuthorityException">The connection cannot be used (missing, undecryptable).</exception>
    Task<ICredentialAuthority> CreateAsync(Guid connectionId, CancellationToken cancellationToken);
}

public enum ClientSecretMethod
{
    ClientSecretPost,
    ClientSecretBasic,
}

/// <summary>How an application authenticates at the token endpoint.</summary>
public enum ApplicationAuthMethod
{
    /// <summary>A public application (native, SPA): no secret to rotate.</summary>
    None,
    ClientSecretPost,
    ClientSecretBasic,
    PrivateKeyJwt,
}

/// <summary>A public-key credential stored on an application.</summary>
public sealed record PublicKeyCredential(string Id, string? KeyId, string? Name, bool IsAttached);

/// <summary>
/// The public half of a generated key, to register with the provider: an SPKI public key PEM, or a certificate PEM
/// (<paramref name="IsCertificate"/>), whose expiry the provider then enforces.
/// </summary>
public sealed record NewPublicKeyCredential(string PublicKeyPem, string KeyId, string Name, bool IsCertificate = false);

/// <summary>An application's authentication setup, as the provider reports it.</summary>
public sealed record ApplicationCredentials(
    string ClientId,
    string? Name,
    string? AppType,
    ApplicationAuthMethod AuthMethod,
    IReadOnlyList<PublicKeyCredential> Credentials)
{
    public IReadOnlyList<string> AttachedCredentialIds => Credentials.Where(c => c.IsAttached).Select(c => c.Id).ToList();

    public bool UsesClientSecret => AuthMethod is ApplicationAuthMethod.ClientSecretPost or ApplicationAuthMethod.ClientSecretBasic;

    public ClientSecretMethod SecretMethod =>
        AuthMethod == ApplicationAuthMethod.ClientSecretBasic ? ClientSecretMethod.ClientSecretBasic : ClientSecretMethod.ClientSecretPost;
}

public enum CredentialCheckOutcome
{
    /// <summary>The provider accepted the credential (a token, or 403 for a missing grant: it authenticated).</summary>
    Accepted,

    /// <summary>401: the credential does not work (or not yet, during propagation).</summary>
    Rejected,

    /// <summary>429, 5xx, timeout: ask again later.</summary>
    Transient,

    /// <summary>Any other answer (400 and the like): the request is wrong, retrying will not help.</summary>
    Error,
}

/// <summary>The verdict of one token request; <see cref="Detail"/> carries no secret.</summary>
public sealed record CredentialCheck(CredentialCheckOutcome Outcome, string Detail);

/// <summary>A provider call failed. The message is safe to store (no secrets), though callers still scrub it.</summary>
public sealed class CredentialAuthorityException : Exception
{
    public CredentialAuthorityException(string message, bool isTransient = false, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
        StatusCode = statusCode;
    }

    /// <summary>Trying again later may succeed (429, 5xx, timeouts, network errors).</summary>
    public bool IsTransient { get; }

    public int? StatusCode { get; }
}
