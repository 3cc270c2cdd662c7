using RotationDashboard.Client.Internal;

namespace RotationDashboard.Client;

/// <summary>
/// CURRENT and NEXT from plain configuration (e.g. <c>Auth0Client:Current:ClientSecret</c> and
/// <c>Auth0Client:Next:ClientSecret</c>). After a successful fallback, NEXT is CURRENT for the life of the process;
/// the old value is no longer offered.
/// </summary>
public sealed class StaticCredentialSource : ICredentialSource
{
    private readonly CredentialRotationState _state = new();

    public StaticCredentialSource(Auth0CredentialSet credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _state.Accept(credentials);
    }

    public StaticCredentialSource(Auth0Credential current, Auth0Credential? next = null)
        : this(new Auth0CredentialSet(current, next))
    {
    }

    /// <summary>Builds the source from <see cref="Auth0ClientCredentialsOptions.Current"/> and <see cref="Auth0ClientCredentialsOptions.Next"/>.</summary>
    /// <exception cref="InvalidOperationException">The options are incomplete; the message says what is missing.</exception>
    public static StaticCredentialSource FromOptions(Auth0ClientCredentialsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ClientId))
            throw new InvalidOperationException("Auth0 client credentials: ClientId is required.");
        if (options.Current is null || options.Current.IsEmpty)
            throw new InvalidOperationException("Auth0 client credentials: Current needs a ClientSecret or a PrivateKeyPem.");
        var current = ToCredential(options.ClientId, options.Current, "current");
        var next = options.Next is { IsEmpty: false } configured ? ToCredential(options.ClientId, configured, "next") : null;
        return new StaticCredentialSource(current, next);
    }

    /// <summary>What the source offers now.</summary>
    public Auth0CredentialSet Credentials => _state.Offered!;

    public ValueTask<Auth0CredentialSet> GetCredentialsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Credentials);

    public ValueTask<Auth0CredentialSet> RefreshAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Credentials);

    public bool Promote(Auth0Credential credential) => _state.Promote(credential);

    private static Auth0Credential ToCredential(string clientId, Auth0CredentialOptions options, string slot)
    {
        if (!string.IsNullOrEmpty(options.ClientSecret))
        {
            if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem))
                throw new InvalidOperationException($"Auth0 client credentials: {slot} has both a ClientSecret and a PrivateKeyPem.");
            return Auth0Credential.FromClientSecret(clientId, options.ClientSecret, slot);
        }

        try
        {
            return Auth0Credential.FromPrivateKey(clientId, options.PrivateKeyPem!, options.KeyId, slot);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"Auth0 client credentials: {slot} PrivateKeyPem is unusable. {exception.Message}");
        }
    }
}
