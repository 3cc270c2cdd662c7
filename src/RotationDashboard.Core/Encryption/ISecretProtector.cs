namespace RotationDashboard.Core.Encryption;

/// <summary>
/// Authenticated encryption of values at rest. The <c>purpose</c> is bound to the ciphertext as associated
/// data: a blob protected for one purpose (say a connection's client secret) fails to decrypt under any other
/// (say a secret version), so blobs cannot be swapped between records.
/// </summary>
public interface ISecretProtector
{
    /// <summary>Encrypts <paramref name="plaintext"/> under the current root key.</summary>
    byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose);

    /// <summary>
    /// Decrypts a blob made by <see cref="Protect"/> with any key of the ring.
    /// </summary>
    /// <exception cref="SecretDecryptionException">The blob is malformed, tampered with, was protected for a
    /// different purpose, or its key is not in the ring.</exception>
    byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose);

    /// <summary>The id of the key new blobs are encrypted with.</summary>
    string CurrentKeyId { get; }
}
