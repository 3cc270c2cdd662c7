using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RotationDashboard.Core.Encryption;

/// <summary>
/// AES-256-GCM under a <see cref="RootKeyRing"/>. Blob layout (version 1):
/// <code>
/// [0x01][key id length: 1 byte][key id: ASCII][nonce: 12 bytes][tag: 16 bytes][ciphertext]
/// </code>
/// The associated data authenticates the header (version and key id) and the purpose string, so changing
/// any byte of the blob, using another key, or decrypting for another purpose fails authentication.
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector
{
    public const byte FormatVersion = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private readonly RootKeyRing _ring;

    public AesGcmSecretProtector(RootKeyRing ring) => _ring = ring ?? throw new ArgumentNullException(nameof(ring));

    public string CurrentKeyId => _ring.Current.Id;

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        ValidatePurpose(purpose);
        var key = _ring.Current;
        var keyId = Encoding.ASCII.GetBytes(key.Id);
        var headerLength = 2 + keyId.Length;
        var blob = new byte[headerLength + NonceSize + TagSize + plaintext.Length];

        blob[0] = FormatVersion;
        blob[1] = (byte)keyId.Length;
        keyId.CopyTo(blob, 2);
        var nonce = blob.AsSpan(headerLength, NonceSize);
        var tag = blob.AsSpan(headerLength + NonceSize, TagSize);
        var ciphertext = blob.AsSpan(headerLength + NonceSize + TagSize);
        RandomNumberGenerator.Fill(nonce);

        var associatedData = BuildAssociatedData(blob.AsSpan(0, headerLength), purpose);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return blob;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose)
    {
        ValidatePurpose(purpose);
        if (!ProtectedBlob.TryReadHeader(protectedData, out var keyId, out var headerLength, out var error))
        {
            throw new SecretDecryptionException(error!);
        }

        if (!_ring.TryGetKey(keyId!, out var key))
        {
            throw new SecretDecryptionException(
                $"The data was encrypted with root key '{keyId}', which is not configured. " +
                "Add that key to Encryption:PreviousRootKeys to decrypt it.",
                keyId);
        }

        var nonce = protectedData.Slice(headerLength, NonceSize);
        var tag = protectedData.Slice(headerLength + NonceSize, TagSize);
        var ciphertext = protectedData[(headerLength + NonceSize + TagSize)..];
        var plaintext = new byte[ciphertext.Length];
        var associatedData = BuildAssociatedData(protectedData[..headerLength], purpose);
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new SecretDecryptionException(
                $"The encrypted data (root key '{keyId}') failed authentication: it was modified, " +
                "or it belongs to a different record or purpose.",
                keyId);
        }
    }

    private static byte[] BuildAssociatedData(ReadOnlySpan<byte> header, string purpose)
    {
        // header || purpose length (4 bytes, big endian) || purpose (UTF-8): unambiguous concatenation.
        var purposeBytes = Encoding.UTF8.GetBytes(purpose);
        var associatedData = new byte[header.Length + 4 + purposeBytes.Length];
        header.CopyTo(associatedData);
        BinaryPrimitives.WriteInt32BigEndian(associatedData.AsSpan(header.Length, 4), purposeBytes.Length);
        purposeBytes.CopyTo(associatedData, header.Length + 4);
        return associatedData;
    }

    private static void ValidatePurpose(string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
    }
}
