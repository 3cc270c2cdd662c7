namespace RotationDashboard.Client;

/// <summary>An access token from <c>/oauth/token</c>. <see cref="ToString"/> does not show the token.</summary>
public sealed record Auth0AccessToken(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string? Scope)
{
    public override string ToString() => $"Auth0AccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope} }}";
}

/// <summary>Hands out access tokens for one Auth0 application and audience.</summary>
public interface IAuth0TokenProvider
{
    /// <summary>A valid token: the cached one, or a new one from Auth0.</summary>
    /// <exception cref="Auth0TokenException">Auth0 refused, or kept failing after the bounded retries.</exception>
    Task<Auth0AccessToken> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The API rejected <paramref name="accessToken"/>: drop it from the cache (if it is still the cached one) so the
    /// next call gets a fresh token.
    /// </summary>
    void InvalidateToken(string accessToken);
}
