using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace RotationDashboard.Sandbox.Internal;

/// <summary>Reads the public-key forms Auth0 accepts for private_key_jwt credentials.</summary>
internal static class RsaPublicKeys
{
    public const int MinimumKeySize = 2048;
    public const int MaximumKeySize = 4096;

    public sealed record ParsedKey(string SpkiPem, int KeySize, string Thumbprint, DateTimeOffset? CertificateNotAfter);

    /// <summary>Accepts an SPKI (<c>PUBLIC KEY</c>) or PKCS#1 (<c>RSA PUBLIC KEY</c>) key or an X.509 certificate.</summary>
    /// <exception cref="ManagementApiException">When the PEM is not one of those, not RSA, or of a size Auth0 refuses.</exception>
    public static ParsedKey Parse(string pem)
    {
        using var rsa = RSA.Create();
        DateTimeOffset? notAfter = null;
        try
        {
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                using var certificateKey = certificate.GetRSAPublicKey()
                    ?? throw ManagementApiException.InvalidBodyOn("Only RSA keys are supported", "pem");
                rsa.ImportParameters(certificateKey.ExportParameters(false));
                notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            }
            else if (pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)
                     || pem.Contains("-----BEGIN RSA PUBLIC KEY-----", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(pem);
            }
            else
            {
                throw ManagementApiException.InvalidBodyOn(
                    "Expected a PEM-encoded public key (SPKI or PKCS#1) or X.509 certificate", "pem");
            }
        }
        catch (CryptographicException)
        {
            // An EC key or a damaged PEM ends up here; either way it is not an RSA key we can use.
            throw ManagementApiException.InvalidBodyOn("The PEM is not a valid RSA public key or certificate", "pem");
        }
        catch (ArgumentException)
        {
            throw ManagementApiException.InvalidBodyOn("The PEM is not a valid RSA public key or certificate", "pem");
        }

        if (rsa.KeySize is < MinimumKeySize or > MaximumKeySize)
            throw ManagementApiException.InvalidBodyOn(
                $"RSA key size must be between {MinimumKeySize} and {MaximumKeySize} bits (got {rsa.KeySize})", "pem");

        var spkiPem = rsa.ExportSubjectPublicKeyInfoPem();
        return new ParsedKey(spkiPem, rsa.KeySize, Thumbprint(rsa.ExportParameters(false)), notAfter);
    }

    /// <summary>RFC 7638 JWK SHA-256 thumbprint, base64url: the kid Auth0 generates.</summary>
    public static string Thumbprint(RSAParameters parameters)
    {
        var canonical = $"{{\"e\":\"{Base64UrlEncoder.Encode(parameters.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(parameters.Modulus)}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static RsaSecurityKey ToSecurityKey(string spkiPem, string kid)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(spkiPem);
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }
}
