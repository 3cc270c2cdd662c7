using System.Security.Cryptography;
using System.Text;

namespace RotationDashboard.Core.Encryption;

public static class SecretProtectorExtensions
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] ProtectString(this ISecretProtector protector, string plaintext, string purpose)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var bytes = StrictUtf8.GetBytes(plaintext);
        try
        {
            return protector.Protect(bytes, purpose);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static string UnprotectString(this ISecretProtector protector, ReadOnlySpan<byte> protectedData, string purpose)
    {
        var bytes = protector.Unprotect(protectedData, purpose);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SecretDecryptionException("The decrypted data is not valid UTF-8 text.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
