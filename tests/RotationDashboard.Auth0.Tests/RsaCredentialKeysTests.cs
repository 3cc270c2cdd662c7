using RotationDashboard.Testing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;
using RotationDashboard.Auth0.Tests.Infrastructure;

namespace RotationDashboard.Auth0.Tests;

[Trait(TestKind.Trait, TestKind.Unit)]
public class RsaCredentialKeysTests
{
    [Fact]
    public void Thumbprint_matches_the_RFC_7638_example()
    {
        // RFC 7638 §3.1.
        var parameters = new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"),
            Exponent = Base64UrlEncoder.DecodeBytes("AQAB"),
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", RsaCredentialKeys.ComputeJwkThumbprint(parameters));
    }

    [Fact]
    public void Generated_pairs_export_pkcs8_and_spki_with_the_thumbprint_as_kid()
    {
        const int size = RsaCredentialKeys.DefaultKeySize;
        var keys = TestKeys.First;

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", keys.PrivateKeyPem);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", keys.PublicKeyPem);
        Assert.Equal(size, keys.KeySize);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(keys.PublicKeyPem);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa));
        Assert.Equal(Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()), keys.KeyId);
        Assert.Equal(keys.KeyId, RsaCredentialKeys.ComputeKeyId(keys.PublicKeyPem));
        Assert.Equal(keys.KeyId, RsaCredentialKeys.ComputeKeyId(keys.PrivateKeyPem));
        Assert.Equal(keys.PublicKeyPem, RsaCredentialKeys.ExportPublicKeyPem(keys.PrivateKeyPem));
        Assert.Matches("^[0-9a-zA-Z_-]{43}$", keys.KeyId); // also a valid Auth0 custom kid
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(8192)]
    [InlineData(2047)]
    public void Sizes_outside_2048_to_4096_are_refused(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RsaCredentialKeys.Generate(size));

    [Fact]
    public void Self_signed_certificate_carries_the_same_key()
    {
        var keys = TestKeys.First;
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);

        var pem = RsaCredentialKeys.CreateSelfSignedCertificatePem(keys.PrivateKeyPem, "billing-api", notBefore, notBefore.AddDays(90));

        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.Equal("CN=billing-api", certificate.Subject);
        Assert.Equal(keys.KeyId, RsaCredentialKeys.ComputeKeyId(pem));
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), notBefore.AddDays(89).UtcDateTime, notBefore.AddDays(91).UtcDateTime);
    }
}
