using System.Security.Cryptography;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// Client secrets as Auth0's zero-downtime guide asks for them: letters, digits and <c>_ - + = .</c>, at least 48
/// characters, from a CSPRNG with no modulo bias (<see cref="RandomNumberGenerator.GetString"/> rejects out-of-range
/// samples).
/// </summary>
public static class ClientSecretGenerator
{
    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.";
    public const int MinLength = 48;
    public const int DefaultLength = 64;
    public const int MaxLength = 256;

    public static string Generate(int length = DefaultLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }
}

/// <summary>A new key pair for a Private Key JWT credential. <see cref="ToString"/> never prints the private key.</summary>
public sealed record GeneratedKeyPair(string PrivateKeyPem, string PublicKeyPem, string KeyId, int KeySize)
{
    public override string ToString() => $"GeneratedKeyPair {{ KeyId = {KeyId}, KeySize = {KeySize}, PrivateKeyPem = [redacted] }}";
}

/// <summary>Creates RSA key pairs whose key id is what Auth0 derives for the public key (RFC 7638 thumbprint).</summary>
public interface IKeyPairGenerator
{
    GeneratedKeyPair Generate(int keySize);

    /// <summary>The SPKI public key PEM of a private key PEM (for a resumed Apply, which only has the private key).</summary>
    string ExportPublicKeyPem(string privateKeyPem);

    /// <summary>A self-signed X.509 certificate (PEM) for the key, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    string CreateSelfSignedCertificatePem(string privateKeyPem, string subjectName, DateTimeOffset notBefore, DateTimeOffset notAfter);
}
