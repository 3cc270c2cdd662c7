using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace RotationDashboard.Auth0;

/// <summary>
/// Signs private_key_jwt client assertions the way Auth0 requires: iss = sub = client_id, aud = the tenant's base
/// URL with its trailing slash, a fresh jti (GUID) per assertion, iat, nbf, exp at most 5 minutes ahead, kid header
/// when known, and the whole JWT at most 2048 bytes. Each assertion is single-use: create one per token request.
/// </summary>
public sealed class ClientAssertionFactory(TimeProvider timeProvider)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);
    public const int MaxAssertionLength = 2048;
    public const int MaxClientIdLength = 64;

    public ClientAssertionFactory()
        : this(TimeProvider.System)
    {
    }

    public string CreateAssertion(Auth0TenantAddress tenant, string clientId, ClientAssertionKey key, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return CreateAssertion(tenant.ClientAssertionAudience, clientId, key, lifetime);
    }

    /// <param name="audience">The tenant's base URL with a trailing slash, or the custom domain's.</param>
    public string CreateAssertion(string audience, string clientId, ClientAssertionKey key, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentNullException.ThrowIfNull(key);
        if (clientId.Length > MaxClientIdLength)
            throw new ArgumentException($"Auth0 limits iss and sub to {MaxClientIdLength} characters; the client id has {clientId.Length}.", nameof(clientId));

        var validity = lifetime ?? DefaultLifetime;
        if (validity <= TimeSpan.Zero || validity > MaxLifetime)
            throw new ArgumentOutOfRangeException(nameof(lifetime), validity, $"An assertion must live between 0 and {MaxLifetime.TotalMinutes} minutes.");

        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var header = Json(writer =>
        {
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("typ", "JWT");
            if (key.KeyId is not null)
                writer.WriteString("kid", key.KeyId);
        });
        var payload = Json(writer =>
        {
            writer.WriteString("iss", clientId);
            writer.WriteString("sub", clientId);
            writer.WriteString("aud", audience);
            writer.WriteString("jti", Guid.NewGuid().ToString("D"));
            writer.WriteNumber("iat", now);
            writer.WriteNumber("nbf", now);
            writer.WriteNumber("exp", now + (long)Math.Ceiling(validity.TotalSeconds));
        });

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        var assertion = signingInput + "." + Base64Url.EncodeToString(signature);

        if (assertion.Length > MaxAssertionLength)
            throw new InvalidOperationException(
                $"The client assertion is {assertion.Length} bytes; Auth0 accepts at most {MaxAssertionLength} " +
                "(a key above 4096 bits or a very long audience or kid).");
        return assertion;
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
