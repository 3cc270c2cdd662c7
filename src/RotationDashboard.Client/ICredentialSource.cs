namespace RotationDashboard.Client;

/// <summary>
/// Where the token client gets the application's credentials. Implementations must be thread-safe.
/// </summary>
public interface ICredentialSource
{
    /// <summary>The credentials to use now (usually from a cache; cheap).</summary>
    ValueTask<Auth0CredentialSet> GetCredentialsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Auth0 rejected every credential offered. A source that can re-read its store does so now (a single-phase
    /// rotation may just have published a new value) and returns what it has; others return the same set.
    /// </summary>
    ValueTask<Auth0CredentialSet> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// NEXT worked where CURRENT was rejected: offer <paramref name="credential"/> as CURRENT from now on and stop
    /// offering the rejected one. Idempotent; concurrent callers may report the same promotion.
    /// </summary>
    /// <returns>True when this call changed what the source offers.</returns>
    bool Promote(Auth0Credential credential);
}
