using RotationDashboard.Auth0;
using RotationDashboard.Auth0.Rotation;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>Resolves a rotation's stored connection into an <see cref="Auth0CredentialAuthority"/>.</summary>
public sealed class Auth0CredentialAuthorityFactory(
    IAuth0ConnectionResolver resolver,
    IAuth0ManagementClientFactory managementClients,
    Auth0CredentialVerifier verifier) : ICredentialAuthorityFactory
{
    public async Task<ICredentialAuthority> CreateAsync(Guid connectionId, CancellationToken cancellationToken)
    {
        ResolvedConnection connection;
        try
        {
            connection = await resolver.ResolveAsync(connectionId, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            // The built-in sandbox is reachable only once the app listens: worth trying again shortly.
            throw new CredentialAuthorityException(exception.Message, isTransient: true, innerException: exception);
        }
        catch (ConnectionNotFoundException exception)
        {
            throw new CredentialAuthorityException(exception.Message, innerException: exception);
        }
        catch (SecretDecryptionException exception)
        {
            throw new CredentialAuthorityException("The connection's client secret cannot be decrypted (was the root key changed?).", innerException: exception);
        }

        // The engine retries a run's transient Auth0 failures itself (RotationEngine:TransientRetryAttempts), so its
        // Management API calls go out once each; see Auth0HttpPipeline for the rule.
        return new Auth0CredentialAuthority(managementClients.Create(connection.Settings with { RetryTransientFailures = false }), verifier);
    }
}
