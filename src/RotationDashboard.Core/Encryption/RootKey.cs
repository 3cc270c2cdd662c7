using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace RotationDashboard.Core.Encryption;

/// <summary>
/// A 256-bit AES root key and its id. The id is recorded in every blob so the ring can pick the right key
/// after the root key is rotated. <see cref="ToString"/> never shows key material.
/// </summary>
public sealed partial class RootKey
{
    public const int KeySizeBytes = 32;
    public const int MaxIdLength = 64;

    private readonly byte[] _material;

    public RootKey(ReadOnlySpan<byte> material, string? id = null)
    {
        if (material.Length != KeySizeBytes)
        {
            throw new ArgumentException($"A root key must be exactly {KeySizeBytes} bytes (256 bits); got {material.Length}.", nameof(material));
        }

        _material = material.ToArray();
        Id = string.IsNullOrWhiteSpace(id) ? DeriveId(material) : id.Trim();
        if (!IsValidId(Id))
        {
            throw new ArgumentException(
                $"A root key id must be 1-{MaxIdLength} characters from letters, digits, '.', '_' and '-'.", nameof(id));
        }
    }

    public string Id { get; }

    internal ReadOnlySpan<byte> Material => _material;

    /// <summary>Creates a key from fresh random bytes.</summary>
    public static RootKey Generate(string? id = null) => new(RandomNumberGenerator.GetBytes(KeySizeBytes), id);

    /// <summary>Parses a base64 key; returns false with a reason (never echoing the input) when it is unusable.</summary>
    public static bool TryParseBase64(string? base64, string? id, out RootKey? key, out string? error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(base64))
        {
            error = "The key is empty.";
            return false;
        }

        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        try
        {
            if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written))
            {
                error = "The key is not valid base64.";
                return false;
            }

            if (written != KeySizeBytes)
            {
                error = $"The key must decode to exactly {KeySizeBytes} bytes (256 bits); it decodes to {written}.";
                return false;
            }

            if (id is not null && !string.IsNullOrWhiteSpace(id) && !IsValidId(id.Trim()))
            {
                error = $"The key id must be 1-{MaxIdLength} characters from letters, digits, '.', '_' and '-'.";
                return false;
            }

            key = new RootKey(buffer.AsSpan(0, written), id);
            error = null;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    public static RootKey FromBase64(string base64, string? id = null) =>
        TryParseBase64(base64, id, out var key, out var error) ? key! : throw new FormatException(error);

    /// <summary>Base64 of the key material, for writing a key file. Handle the result as a secret.</summary>
    public string ExportBase64() => Convert.ToBase64String(_material);

    /// <summary>The default key id: the first 8 bytes of SHA-256 of the key, in lowercase hex.</summary>
    public static string DeriveId(ReadOnlySpan<byte> material)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(material, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    public static bool IsValidId(string? id) =>
        id is not null && id.Length is > 0 and <= MaxIdLength && IdPattern().IsMatch(id);

    public override string ToString() => $"RootKey {Id}";

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
