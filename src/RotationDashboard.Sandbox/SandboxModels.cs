using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Sandbox;

/// <summary>Auth0 application types the sandbox models.</summary>
public enum SandboxAppType
{
    NonInteractive,
    RegularWeb,
    Native,
    Spa,
}

/// <summary>How an application authenticates at <c>/oauth/token</c>.</summary>
public enum SandboxAuthMethod
{
    ClientSecretPost,
    ClientSecretBasic,
    /// <summary>A public client: no secret.</summary>
    None,
    /// <summary><c>client_authentication_methods.private_key_jwt</c>; the secret, if any, is hidden and unusable.</summary>
    PrivateKeyJwt,
}

/// <summary>A person offered on the sandbox sign-in page.</summary>
public sealed record SandboxUser(string Sub, string Name, string Nickname, string Email, bool EmailVerified = true);

/// <summary>A client created by a test helper: its id and, for secret-based clients, its secret.</summary>
public sealed record SandboxCreatedClient(string ClientId, string? ClientSecret, SandboxKeyPair? KeyPair)
{
    public override string ToString() => $"SandboxCreatedClient {{ ClientId = {ClientId} }}";
}

/// <summary>A snapshot of a client as the sandbox stores it (test assertions).</summary>
public sealed record SandboxClientInfo(
    string ClientId,
    string Name,
    string? AppType,
    bool IsGlobal,
    SandboxAuthMethod AuthMethod,
    string? ClientSecret,
    IReadOnlyList<string>? ManagementScopes,
    IReadOnlyList<SandboxCredentialInfo> Credentials)
{
    public IEnumerable<SandboxCredentialInfo> AttachedCredentials => Credentials.Where(c => c.IsAttached);

    public override string ToString() => $"SandboxClientInfo {{ ClientId = {ClientId}, Name = {Name}, AuthMethod = {AuthMethod} }}";
}

/// <summary>A snapshot of one private_key_jwt credential.</summary>
public sealed record SandboxCredentialInfo(
    string Id,
    string Name,
    string Kid,
    string Alg,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    bool IsAttached);

/// <summary>
/// An RSA key pair the sandbox generated and registered as a credential, so a test or the dashboard's demo
/// can act as the application.
/// </summary>
public sealed record SandboxKeyPair(string CredentialId, string Kid, string Alg, string PrivateKeyPem, string PublicKeyPem)
{
    /// <summary>Signs a client assertion for <c>/oauth/token</c> as Auth0 expects it.</summary>
    /// <param name="audience">The tenant base URL with its trailing slash.</param>
    public string CreateClientAssertion(string clientId, Uri audience, DateTimeOffset now, TimeSpan? lifetime = null, bool includeKid = true) =>
        SandboxClientAssertion.Create(clientId, PrivateKeyPem, Alg, includeKid ? Kid : null, audience.AbsoluteUri, now, lifetime ?? TimeSpan.FromMinutes(1));

    public override string ToString() => $"SandboxKeyPair {{ CredentialId = {CredentialId}, Kid = {Kid}, Alg = {Alg} }}";
}

/// <summary>Builds Private Key JWT client assertions (RFC 7523) the way Auth0's SDKs do.</summary>
public static class SandboxClientAssertion
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <param name="extraClaims">Overrides or additions, e.g. a fixed <c>jti</c> or a wrong <c>aud</c> in tests.</param>
    public static string Create(
        string clientId,
        string privateKeyPem,
        string alg,
        string? kid,
        string audience,
        DateTimeOffset now,
        TimeSpan lifetime,
        IReadOnlyDictionary<string, object>? extraClaims = null,
        bool includeIssuedAt = true)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        // The RSA instance dies with this call, so the signature provider must not be cached.
        var key = new RsaSecurityKey(rsa) { KeyId = kid, CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        if (includeIssuedAt)
        {
            claims["iat"] = now.ToUnixTimeSeconds();
            claims["nbf"] = now.ToUnixTimeSeconds();
        }

        foreach (var (name, value) in extraClaims ?? new Dictionary<string, object>())
            claims[name] = value;

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, alg),
        });
    }
}
