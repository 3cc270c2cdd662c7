namespace RotationDashboard.Client.Internal;

/// <summary>
/// What a source currently offers, plus the one credential retired by the last promotion. The retired credential
/// stays out of CURRENT while its store still lists it there next to its replacement (the store has not finished
/// the rotation yet), so a re-read does not bring back a credential Auth0 already rejected.
/// </summary>
internal sealed class CredentialRotationState
{
    private readonly Lock _gate = new();
    private Auth0CredentialSet? _offered;
    private Auth0Credential? _retired;

    public Auth0CredentialSet? Offered
    {
        get { lock (_gate) return _offered; }
    }

    /// <summary>Takes a set read from the store and returns what to offer.</summary>
    public Auth0CredentialSet Accept(Auth0CredentialSet published)
    {
        lock (_gate)
        {
            if (_retired is not null && published.Current.Equals(_retired) && published.Next is { } replacement)
                return _offered = new Auth0CredentialSet(replacement);

            _retired = null;
            return _offered = published;
        }
    }

    public bool Promote(Auth0Credential credential)
    {
        lock (_gate)
        {
            if (_offered is not { Next: { } next } offered || !next.Equals(credential))
                return false;
            _retired = offered.Current;
            _offered = new Auth0CredentialSet(next);
            return true;
        }
    }
}
