using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Sandbox.Internal;

/// <summary>The tenant's RS256 key: signs access and ID tokens, published at /.well-known/jwks.json.</summary>
internal sealed class SigningKey
{
    private readonly RSAParameters _publicParameters;

    private SigningKey(RSA rsa)
    {
        _publicParameters = rsa.ExportParameters(false);
        Kid = RsaPublicKeys.Thumbprint(_publicParameters);
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = Kid };
        Credentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.RsaSha256);
    }

    public string Kid { get; }
    public RsaSecurityKey SecurityKey { get; }
    public SigningCredentials Credentials { get; }

    public static string GeneratePem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    public static SigningKey FromPem(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new SigningKey(rsa);
    }

    /// <summary>Credentials of a fresh key that claims this key's kid: a forged signature the JWKS cannot verify.</summary>
    public SigningCredentials CreateImpostorCredentials()
    {
        var impostor = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Kid };
        return new SigningCredentials(impostor, SecurityAlgorithms.RsaSha256);
    }

    public JsonObject ToJwks() => new()
    {
        ["keys"] = new JsonArray(new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = Kid,
            ["n"] = Base64UrlEncoder.Encode(_publicParameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(_publicParameters.Exponent),
        }),
    };
}
