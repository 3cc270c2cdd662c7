using System.Text;

namespace RotationDashboard.Core.Encryption;

/// <summary>Reads the clear-text header of a protected blob (format version and key id) without decrypting.</summary>
public static class ProtectedBlob
{
    /// <summary>The id of the root key a blob was encrypted with (e.g. to find data still under an old key).</summary>
    /// <exception cref="SecretDecryptionException">The blob is malformed.</exception>
    public static string ReadKeyId(ReadOnlySpan<byte> protectedData) =>
        TryReadHeader(protectedData, out var keyId, out _, out var error)
            ? keyId!
            : throw new SecretDecryptionException(error!);

    internal static bool TryReadHeader(
        ReadOnlySpan<byte> blob,
        out string? keyId,
        out int headerLength,
        out string? error)
    {
        keyId = null;
        headerLength = 0;
        if (blob.Length < 2)
        {
            error = "The encrypted data is malformed: it is too short to hold a header.";
            return false;
        }

        if (blob[0] != AesGcmSecretProtector.FormatVersion)
        {
            error = $"The encrypted data is malformed: unknown format version {blob[0]}.";
            return false;
        }

        int keyIdLength = blob[1];
        headerLength = 2 + keyIdLength;
        if (keyIdLength == 0 || blob.Length < headerLength + AesGcmSecretProtector.NonceSize + AesGcmSecretProtector.TagSize)
        {
            error = "The encrypted data is malformed: it is truncated.";
            return false;
        }

        var idBytes = blob.Slice(2, keyIdLength);
        foreach (var b in idBytes)
        {
            if (b is < 0x21 or > 0x7E)
            {
                error = "The encrypted data is malformed: its key id is not printable ASCII.";
                return false;
            }
        }

        keyId = Encoding.ASCII.GetString(idBytes);
        error = null;
        return true;
    }
}
