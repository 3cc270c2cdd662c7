using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;

namespace RotationDashboard.Auth0;

/// <summary>
/// An RSA private key that signs private_key_jwt client assertions, with the credential's algorithm and, when
/// known, its kid. Load it from an unencrypted PKCS#8 (<c>PRIVATE KEY</c>) or PKCS#1 (<c>RSA PRIVATE KEY</c>) PEM.
/// Safe to share between threads.
/// </summary>
public sealed class ClientAssertionKey : IDisposable
{
    private readonly RSA _rsa;
    private readonly object _signGate = new();

    private ClientAssertionKey(RSA rsa, string algorithm, string? keyId)
    {
        _rsa = rsa;
        Algorithm = algorithm;
        KeyId = keyId;
    }

    /// <summary><c>RS256</c>, <c>RS384</c> or <c>PS256</c>: must equal the credential's <c>alg</c>.</summary>
    public string Algorithm { get; }

    /// <summary>Sent as the JWT <c>kid</c> header when set; it must then be the credential's kid.</summary>
    public string? KeyId { get; }

    public int KeySize => _rsa.KeySize;

    public static ClientAssertionKey FromPem(string privateKeyPem, string algorithm = Auth0CredentialAlgorithms.RS256, string? keyId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPem);
        if (!Auth0CredentialAlgorithms.IsSupported(algorithm))
            throw new ArgumentException($"The assertion algorithm must be RS256, RS384 or PS256, not '{algorithm}'.", nameof(algorithm));
        if (keyId is not null && (keyId.Length is 0 or > 256 || keyId.Any(char.IsControl)))
            throw new ArgumentException("The key id is not a valid kid.", nameof(keyId));

        var rsa = RsaPem.ImportPrivateKey(privateKeyPem);
        if (rsa.KeySize is < RsaCredentialKeys.MinKeySize or > RsaCredentialKeys.MaxKeySize)
        {
            var size = rsa.KeySize;
            rsa.Dispose();
            throw new ArgumentException(
                $"Auth0 accepts RSA keys of {RsaCredentialKeys.MinKeySize} to {RsaCredentialKeys.MaxKeySize} bits; this key has {size}.",
                nameof(privateKeyPem));
        }

        return new ClientAssertionKey(rsa, algorithm, keyId);
    }

    internal byte[] Sign(ReadOnlySpan<byte> data)
    {
        var (hash, padding) = Algorithm switch
        {
            Auth0CredentialAlgorithms.RS384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            Auth0CredentialAlgorithms.PS256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        };
        lock (_signGate)
            return _rsa.SignData(data.ToArray(), hash, padding);
    }

    public void Dispose() => _rsa.Dispose();

    public override string ToString() => $"ClientAssertionKey {{ Algorithm = {Algorithm}, KeyId = {KeyId}, KeySize = {KeySize} }}";
}

/// <summary>PEM import with errors that name the problem and never echo the key.</summary>
internal static class RsaPem
{
    public static RSA ImportPrivateKey(string pem)
    {
        var label = FindLabel(pem);
        if (label is "ENCRYPTED PRIVATE KEY")
            throw new ArgumentException("The private key PEM is encrypted; provide an unencrypted PKCS#8 or PKCS#1 RSA key.", nameof(pem));
        if (label is not ("PRIVATE KEY" or "RSA PRIVATE KEY"))
            throw new ArgumentException(
                "The PEM is not an RSA private key (expected '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----').",
                nameof(pem));

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new ArgumentException("The private key PEM could not be read as an RSA key.", nameof(pem));
        }
    }

    public static RSA ImportPublicKey(string pem)
    {
        var label = FindLabel(pem);
        if (label is "CERTIFICATE")
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() ?? throw new ArgumentException("The certificate does not hold an RSA key.", nameof(pem));
        }

        if (label is not ("PUBLIC KEY" or "RSA PUBLIC KEY" or "PRIVATE KEY" or "RSA PRIVATE KEY"))
            throw new ArgumentException("The PEM is not an RSA public key, private key or certificate.", nameof(pem));

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new ArgumentException("The PEM could not be read as an RSA key.", nameof(pem));
        }
    }

    private static string? FindLabel(string pem) =>
        PemEncoding.TryFind(pem, out var fields) ? pem[fields.Label].ToString() : null;
}
