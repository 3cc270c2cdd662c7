using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace RotationDashboard.Auth0;

/// <summary>A private_key_jwt credential (public key) stored on a client.</summary>
public sealed record Auth0ClientCredential
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = string.Empty;

    [JsonPropertyName("credential_type")]
    public string? CredentialType { get; init; }

    /// <summary>By default the RFC 7638 SHA-256 JWK thumbprint (base64url) of the public key.</summary>
    [JsonPropertyName("kid")]
    public string? Kid { get; init; }

    [JsonPropertyName("alg")]
    public string? Alg { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Null when the credential never expires.</summary>
    [JsonPropertyName("expires_at")]
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>
/// Body of <c>POST /clients/{id}/credentials</c>. <see cref="Pem"/> is an SPKI or PKCS#1 public key, or an X.509
/// certificate. <see cref="ExpiresAt"/> and <see cref="ParseExpiryFromCert"/> are mutually exclusive; without
/// either the credential never expires.
/// </summary>
public sealed partial record NewClientCredential
{
    public const string PublicKeyType = "public_key";

    public NewClientCredential(string pem, string? name = null, string alg = Auth0CredentialAlgorithms.RS256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        Pem = pem;
        Name = name;
        Alg = alg;
    }

    [JsonPropertyName("credential_type")]
    public string CredentialType { get; init; } = PublicKeyType;

    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonPropertyName("pem")]
    public string Pem { get; init; }

    [JsonPropertyName("alg")]
    public string Alg { get; init; }

    /// <summary>Optional; must match <c>[0-9a-zA-Z-_]{10,64}</c>. Auth0 generates the thumbprint when omitted.</summary>
    [JsonPropertyName("kid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kid { get; init; }

    [JsonPropertyName("expires_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExpiresAt { get; init; }

    [JsonPropertyName("parse_expiry_from_cert")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ParseExpiryFromCert { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for combinations Auth0 is documented to reject.</summary>
    public void Validate()
    {
        if (!Auth0CredentialAlgorithms.IsSupported(Alg))
            throw new ArgumentException($"Credential alg must be RS256, RS384 or PS256, not '{Alg}'.", nameof(Alg));
        if (ExpiresAt is not null && ParseExpiryFromCert == true)
            throw new ArgumentException("expires_at and parse_expiry_from_cert cannot both be set.", nameof(ExpiresAt));
        if (Kid is not null && !KidPattern().IsMatch(Kid))
            throw new ArgumentException("kid must be 10 to 64 characters from [0-9a-zA-Z-_].", nameof(Kid));
    }

    [GeneratedRegex("^[0-9a-zA-Z_-]{10,64}$")]
    private static partial Regex KidPattern();
}
