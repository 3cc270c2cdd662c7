using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RotationDashboard.Auth0;

/// <summary>A generated key pair for a private_key_jwt credential. <see cref="ToString"/> never prints the private key.</summary>
public sealed record RsaCredentialKeyPair(string PrivateKeyPem, string PublicKeyPem, string KeyId, int KeySize)
{
    public override string ToString() =>
        $"RsaCredentialKeyPair {{ KeyId = {KeyId}, KeySize = {KeySize}, PublicKeyPem = {PublicKeyPem.Length} chars, PrivateKeyPem = *** }}";
}

/// <summary>RSA keys for private_key_jwt: generation, PEM export, RFC 7638 thumbprints (Auth0's default kid), certificates.</summary>
public static class RsaCredentialKeys
{
    public const int DefaultKeySize = 2048;
    public const int MinKeySize = 2048;
    public const int MaxKeySize = 4096;

    /// <summary>A new key pair: PKCS#8 private key PEM, SPKI public key PEM, and the thumbprint as kid.</summary>
    public static RsaCredentialKeyPair Generate(int keySize = DefaultKeySize)
    {
        if (keySize is < MinKeySize or > MaxKeySize || keySize % 8 != 0)
            throw new ArgumentOutOfRangeException(nameof(keySize), keySize,
                $"Auth0 accepts RSA keys of {MinKeySize} to {MaxKeySize} bits (a multiple of 8).");

        using var rsa = RSA.Create(keySize);
        return new RsaCredentialKeyPair(
            rsa.ExportPkcs8PrivateKeyPem(),
            rsa.ExportSubjectPublicKeyInfoPem(),
            ComputeJwkThumbprint(rsa.ExportParameters(includePrivateParameters: false)),
            keySize);
    }

    /// <summary>The SPKI public key PEM (what <c>POST /credentials</c> takes) of a private key, public key or certificate PEM.</summary>
    public static string ExportPublicKeyPem(string pem)
    {
        using var rsa = RsaPem.ImportPublicKey(pem);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>RFC 7638 SHA-256 JWK thumbprint, base64url, of the RSA key in a private key, public key or certificate PEM.</summary>
    public static string ComputeKeyId(string pem)
    {
        using var rsa = RsaPem.ImportPublicKey(pem);
        return ComputeJwkThumbprint(rsa.ExportParameters(includePrivateParameters: false));
    }

    /// <summary>RFC 7638: SHA-256 over <c>{"e":…,"kty":"RSA","n":…}</c> (members sorted, no whitespace), base64url.</summary>
    public static string ComputeJwkThumbprint(RSAParameters publicKey)
    {
        if (publicKey.Modulus is null || publicKey.Exponent is null)
            throw new ArgumentException("The RSA parameters have no public key.", nameof(publicKey));

        var json = $"{{\"e\":\"{Base64Url.EncodeToString(TrimLeadingZeros(publicKey.Exponent))}\",\"kty\":\"RSA\"," +
                   $"\"n\":\"{Base64Url.EncodeToString(TrimLeadingZeros(publicKey.Modulus))}\"}}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>A self-signed X.509 certificate (PEM) for the key, for tenants that prefer certificate credentials.</summary>
    public static string CreateSelfSignedCertificatePem(
        string privateKeyPem,
        string subjectName,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectName);
        if (notAfter <= notBefore)
            throw new ArgumentException("The certificate must end after it starts.", nameof(notAfter));

        using var rsa = RsaPem.ImportPrivateKey(privateKeyPem);
        var subject = subjectName.Contains('=') ? new X500DistinguishedName(subjectName) : new X500DistinguishedName($"CN={subjectName}");
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return certificate.ExportCertificatePem();
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        var start = Array.FindIndex(value, b => b != 0);
        return start <= 0 ? value : value[start..];
    }
}
