using RotationDashboard.Core.Common;

namespace RotationDashboard.Core.Encryption;

/// <summary>
/// A protected blob could not be decrypted. The message says why (malformed, unknown key, failed
/// authentication) and never contains plaintext or key material.
/// </summary>
public sealed class SecretDecryptionException : DomainException
{
    public SecretDecryptionException(string message, string? keyId = null)
        : base(message) => KeyId = keyId;

    /// <summary>The key id recorded in the blob, when it could be read.</summary>
    public string? KeyId { get; }
}
