using System.Security.Cryptography;

namespace RotationDashboard.Client;

/// <summary>How a credential proves the application's identity at <c>/oauth/token</c>.</summary>
public enum Auth0CredentialKind
{
    /// <summary>A client secret, sent as <c>client_secret_post</c> or <c>client_secret_basic</c>.</summary>
    ClientSecret,

    /// <summary>An RSA private key that signs a <c>private_key_jwt</c> client assertion.</summary>
    PrivateKey,
}

/// <summary>
/// One credential of an Auth0 application: its client id and either a client secret or a private key.
/// Immutable; equality compares the values (so a re-read of the same value is the same credential), and
/// <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed class Auth0Credential : IEquatable<Auth0Credential>
{
    private Auth0Credential(string clientId, Auth0CredentialKind kind, string? clientSecret, string? privateKeyPem, string? keyId, string? version)
    {
        ClientId = clientId;
        Kind = kind;
        ClientSecret = clientSecret;
        PrivateKeyPem = privateKeyPem;
        KeyId = keyId;
        Version = version;
    }

    public string ClientId { get; }

    public Auth0CredentialKind Kind { get; }

    /// <summary>The client secret (sensitive); null for a private key.</summary>
    public string? ClientSecret { get; }

    /// <summary>The PEM private key (sensitive); null for a client secret.</summary>
    public string? PrivateKeyPem { get; }

    /// <summary>The Auth0 credential's <c>kid</c>; sent in the assertion header when known.</summary>
    public string? KeyId { get; }

    /// <summary>A label that is not secret (the dashboard's version, or the configuration slot), for logs and diagnostics.</summary>
    public string? Version { get; }

    public static Auth0Credential FromClientSecret(string clientId, string clientSecret, string? version = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        if (string.IsNullOrEmpty(clientSecret))
            throw new ArgumentException("The client secret is empty.", nameof(clientSecret));
        return new Auth0Credential(clientId, Auth0CredentialKind.ClientSecret, clientSecret, null, null, version);
    }

    /// <param name="privateKeyPem">
    /// An RSA private key in PEM: PKCS#8 (<c>BEGIN PRIVATE KEY</c>) or PKCS#1 (<c>BEGIN RSA PRIVATE KEY</c>).
    /// Literal <c>\n</c> sequences (a PEM squeezed into one environment variable) are accepted.
    /// </param>
    /// <exception cref="ArgumentException">The text is not such a key. The message never quotes it.</exception>
    public static Auth0Credential FromPrivateKey(string clientId, string privateKeyPem, string? keyId = null, string? version = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        var pem = NormalizePem(privateKeyPem);
        EnsureRsaPrivateKey(pem);
        return new Auth0Credential(clientId, Auth0CredentialKind.PrivateKey, null, pem, string.IsNullOrWhiteSpace(keyId) ? null : keyId.Trim(), version);
    }

    /// <summary>Opens the private key; the caller disposes it.</summary>
    internal RSA CreateRsa()
    {
        if (PrivateKeyPem is null)
            throw new InvalidOperationException("This credential is a client secret, not a private key.");
        var rsa = RSA.Create();
        rsa.ImportFromPem(PrivateKeyPem);
        return rsa;
    }

    public bool Equals(Auth0Credential? other) =>
        other is not null
        && Kind == other.Kind
        && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal)
        && string.Equals(ClientSecret, other.ClientSecret, StringComparison.Ordinal)
        && string.Equals(PrivateKeyPem, other.PrivateKeyPem, StringComparison.Ordinal)
        && string.Equals(KeyId, other.KeyId, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Auth0Credential);

    public override int GetHashCode() => HashCode.Combine(Kind, ClientId, ClientSecret, PrivateKeyPem, KeyId);

    /// <summary>A description safe for logs: kind, client id, key id and version, never the secret or key.</summary>
    public override string ToString()
    {
        var what = Kind == Auth0CredentialKind.ClientSecret ? "client secret" : KeyId is null ? "private key" : $"private key {KeyId}";
        return Version is null ? $"{what} of {ClientId}" : $"{what} of {ClientId} [{Version}]";
    }

    private static string NormalizePem(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
            throw new ArgumentException("The private key is empty.", nameof(pem));
        var text = pem.Trim();
        return text.Contains('\n') || !text.Contains("\\n", StringComparison.Ordinal) ? text : text.Replace("\\n", "\n", StringComparison.Ordinal);
    }

    private static void EnsureRsaPrivateKey(string pem)
    {
        const string expected = "The private key must be an unencrypted PEM RSA private key (PKCS#8 'BEGIN PRIVATE KEY' or PKCS#1 'BEGIN RSA PRIVATE KEY').";
        if (!PemEncoding.TryFind(pem, out var fields))
            throw new ArgumentException(expected, "privateKeyPem");
        var label = pem.AsSpan()[fields.Label];
        if (!label.SequenceEqual("PRIVATE KEY") && !label.SequenceEqual("RSA PRIVATE KEY"))
            throw new ArgumentException($"{expected} Found a '{label}' block.", "privateKeyPem");
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            // The inner exception is dropped on purpose: crypto messages may echo parts of the input.
            throw new ArgumentException($"{expected} The key could not be read.", "privateKeyPem");
        }
    }
}

/// <summary>The credentials a source offers: CURRENT, and NEXT when a rotation is under way.</summary>
public sealed record Auth0CredentialSet
{
    public Auth0CredentialSet(Auth0Credential current, Auth0Credential? next = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        Current = current;
        Next = next is not null && next.Equals(current) ? null : next;
    }

    public Auth0Credential Current { get; }

    /// <summary>The credential to fall back to when Auth0 rejects <see cref="Current"/>; null when none (or equal to it).</summary>
    public Auth0Credential? Next { get; }
}
