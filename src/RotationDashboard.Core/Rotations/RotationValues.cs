using System.Text.Json.Serialization;

namespace RotationDashboard.Core.Rotations;

/// <summary>The UTC time of day a rotation runs at (<c>rotateAtUtc {hours, minutes}</c>).</summary>
public sealed record RotateAtUtc(int Hours, int Minutes)
{
    public static RotateAtUtc Midnight { get; } = new(0, 0);

    [JsonIgnore]
    public TimeSpan TimeOfDay => new(Hours, Minutes, 0);

    [JsonIgnore]
    public bool IsValid => Hours is >= 0 and <= 23 && Minutes is >= 0 and <= 59;

    public override string ToString() => $"{Hours:00}:{Minutes:00} UTC";
}

/// <summary>Provider parameters (<c>parameters</c>): the Auth0 application whose credential rotates.</summary>
public sealed record RotationParameters(string ClientId);

/// <summary>
/// Secret names the rotation writes (<c>secretsMapping</c>). Client-secret rotations use
/// <see cref="ClientId"/> and <see cref="ClientSecret"/>; Private Key JWT rotations use <see cref="ClientId"/>,
/// <see cref="PrivateKey"/> and <see cref="KeyId"/>. The optional NEXT names (<see cref="ClientSecretNext"/>, or
/// <see cref="PrivateKeyNext"/> with <see cref="KeyIdNext"/>) are second secrets for consumers that read one value per
/// secret (Infisical's SDKs): they hold the new credential while a staged or key rotation overlaps and are empty otherwise
/// (seed 000's "two separate configuration entries").
/// </summary>
public sealed record SecretsMapping(
    string ClientId,
    string? ClientSecret = null,
    string? PrivateKey = null,
    string? KeyId = null,
    string? ClientSecretNext = null,
    string? PrivateKeyNext = null,
    string? KeyIdNext = null)
{
    /// <summary>The NEXT name that mirrors <paramref name="primaryKey"/>'s NEXT value, if the mapping names one.</summary>
    public string? NextNameFor(string primaryKey) =>
        primaryKey == ClientSecret ? ClientSecretNext
        : primaryKey == PrivateKey ? PrivateKeyNext
        : primaryKey == KeyId ? KeyIdNext
        : null;

    /// <summary>The NEXT names the mapping uses.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> NextKeys => new[] { ClientSecretNext, PrivateKeyNext, KeyIdNext }.OfType<string>().ToList();

    /// <summary>The mapping's fields in API order (camelCase name → secret key), skipping unused ones.</summary>
    [JsonIgnore]
    public IReadOnlyList<KeyValuePair<string, string>> Entries
    {
        get
        {
            var entries = new List<KeyValuePair<string, string>> { new("clientId", ClientId) };
            if (ClientSecret is not null)
            {
                entries.Add(new("clientSecret", ClientSecret));
            }

            if (PrivateKey is not null)
            {
                entries.Add(new("privateKey", PrivateKey));
            }

            if (KeyId is not null)
            {
                entries.Add(new("keyId", KeyId));
            }

            if (ClientSecretNext is not null)
            {
                entries.Add(new("clientSecretNext", ClientSecretNext));
            }

            if (PrivateKeyNext is not null)
            {
                entries.Add(new("privateKeyNext", PrivateKeyNext));
            }

            if (KeyIdNext is not null)
            {
                entries.Add(new("keyIdNext", KeyIdNext));
            }

            return entries;
        }
    }

    [JsonIgnore]
    public IReadOnlyList<string> SecretKeys => Entries.Select(e => e.Value).ToList();

    /// <summary>Default names the wizard proposes (Infisical's template for Auth0).</summary>
    public static SecretsMapping DefaultFor(RotationType type) => type switch
    {
        RotationType.Auth0PrivateKeyJwt => new("AUTH0_CLIENT_ID", PrivateKey: "AUTH0_PRIVATE_KEY", KeyId: "AUTH0_KEY_ID"),
        _ => new("AUTH0_CLIENT_ID", ClientSecret: "AUTH0_CLIENT_SECRET"),
    };
}

/// <summary>
/// One generated credential slot. Client-secret rotations fill <see cref="ClientSecret"/>; Private Key JWT
/// rotations fill <see cref="PrivateKeyPem"/>, <see cref="KeyId"/> and Auth0's <see cref="CredentialId"/>.
/// <see cref="RetiredAt"/> is set once the credential stops working in Auth0 (at once for a replaced client
/// secret, after the grace period for a private key). <see cref="ToString"/> never shows secret material.
/// </summary>
public sealed record GeneratedCredential(
    string ClientId,
    string? ClientSecret = null,
    string? PrivateKeyPem = null,
    string? KeyId = null,
    string? CredentialId = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? RetiredAt = null)
{
    /// <summary>Whether Auth0 still accepts this credential (as far as the dashboard knows).</summary>
    [JsonIgnore]
    public bool IsValid => RetiredAt is null;

    /// <summary>True when <paramref name="other"/> holds the same secret or key (ignoring ids and timestamps).</summary>
    public bool HasSameMaterial(GeneratedCredential? other) =>
        other is not null
        && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal)
        && string.Equals(ClientSecret, other.ClientSecret, StringComparison.Ordinal)
        && string.Equals(PrivateKeyPem, other.PrivateKeyPem, StringComparison.Ordinal);

    /// <summary>The secret values to scrub from messages.</summary>
    [JsonIgnore]
    public IEnumerable<string> SecretMaterial => new[] { ClientSecret, PrivateKeyPem }.OfType<string>();

    public override string ToString() =>
        $"GeneratedCredential {{ ClientId = {ClientId}, KeyId = {KeyId}, CredentialId = {CredentialId}, RetiredAt = {RetiredAt:O}, secret = [redacted] }}";
}
