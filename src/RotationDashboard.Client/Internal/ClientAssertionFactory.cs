using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Client.Internal;

/// <summary>
/// Signs <c>private_key_jwt</c> client assertions (RFC 7523) as Auth0 expects them: iss = sub = client id,
/// aud = tenant base URL with its trailing slash, a unique jti, iat/nbf/exp, and the kid header when known.
/// </summary>
internal sealed class ClientAssertionFactory(string audience, string algorithm, TimeSpan lifetime, TimeProvider time)
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Create(Auth0Credential credential)
    {
        using var rsa = credential.CreateRsa();
        // The RSA instance dies with this call, so its signature provider must not be cached.
        var key = new RsaSecurityKey(rsa)
        {
            KeyId = credential.KeyId,
            CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
        };
        var now = time.GetUtcNow();
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = credential.ClientId,
                ["sub"] = credential.ClientId,
                ["aud"] = audience,
                ["jti"] = Guid.NewGuid().ToString(),
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }
}
