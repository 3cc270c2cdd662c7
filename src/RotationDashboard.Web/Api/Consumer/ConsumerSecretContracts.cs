using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Web.Api.Consumer;

/// <summary>
/// <c>GET /api/v1/consumer/secrets/{key}</c>: <c>{"secret":{…}}</c>, the contract the client library's
/// <c>DashboardCredentialSource</c> reads.
/// </summary>
public sealed record ConsumerSecretResponse(ConsumerSecretDto Secret);

public sealed record ConsumerSecretDto(
    string Key,
    Guid ProjectId,
    [property: Description("Environment slug.")] string Environment,
    [property: Description("Normalised folder path.")] string SecretPath,
    ConsumerSecretVersionDto Current,
    ConsumerSecretVersionDto? Next,
    DateTimeOffset UpdatedAt);

public sealed record ConsumerSecretVersionDto(string Value, Guid VersionId, int Version, DateTimeOffset CreatedAt)
{
    public override string ToString() => $"ConsumerSecretVersionDto {{ VersionId = {VersionId}, Version = {Version}, Value = [redacted] }}";
}

/// <summary><c>GET /api/v1/consumer/secrets?keys=A,B</c>: several secrets of one folder, from one snapshot, in the order asked for.</summary>
public sealed record ConsumerSecretListResponse(IReadOnlyList<ConsumerSecretDto> Secrets);

/// <summary>
/// <c>GET /api/v1/consumer/credential-sets/{key}</c>: <c>{"credentialSet":{…}}</c>, a rotation's whole credential (client id,
/// client secret or private key and key id) for CURRENT and NEXT, read from one snapshot.
/// </summary>
public sealed record ConsumerCredentialSetResponse(ConsumerCredentialSetDto CredentialSet);

public sealed record ConsumerCredentialSetDto(
    Guid RotationId,
    [property: Description("auth0-client-secret or auth0-private-key-jwt.")] string Type,
    Guid ProjectId,
    [property: Description("Environment slug.")] string Environment,
    [property: Description("Normalised folder path.")] string SecretPath,
    [property: Description("The CURRENT credential's version number (of the client secret or private key secret): it changes on every " +
                           "promotion, so a consumer can tell a new credential set from the one it holds.")]
    int Version,
    [property: Description("The secret names the rotation writes (the fields it does not use are null).")] ConsumerSecretsMappingDto SecretsMapping,
    ConsumerCredentialDto Current,
    [property: Description("Set while the rotation has published a new credential that Auth0 may not accept yet; null otherwise.")]
    ConsumerCredentialDto? Next,
    DateTimeOffset UpdatedAt);

public sealed record ConsumerSecretsMappingDto(string ClientId, string? ClientSecret, string? PrivateKey, string? KeyId);

/// <summary>One complete credential; <see cref="ToString"/> never shows the secret or key.</summary>
public sealed record ConsumerCredentialDto(
    [property: Description("Version number of the client secret or private key secret.")] int Version,
    [property: Description("Version id of the client secret or private key secret.")] Guid VersionId,
    string ClientId,
    [property: Description("auth0-client-secret only.")] string? ClientSecret,
    [property: Description("auth0-private-key-jwt only: the PEM private key.")] string? PrivateKey,
    [property: Description("auth0-private-key-jwt only: the key id (kid) that belongs to this private key.")] string? KeyId,
    DateTimeOffset CreatedAt)
{
    public override string ToString() =>
        $"ConsumerCredentialDto {{ Version = {Version}, ClientId = {ClientId}, KeyId = {KeyId}, secret = [redacted] }}";
}

/// <summary>Source-generated serialization for the hot path (no reflection per request), with the API's JSON settings.</summary>
[JsonSerializable(typeof(ConsumerSecretResponse))]
[JsonSerializable(typeof(ConsumerSecretListResponse))]
[JsonSerializable(typeof(ConsumerCredentialSetResponse))]
internal sealed partial class ConsumerJsonContext : JsonSerializerContext
{
    public static ConsumerJsonContext Api { get; } = new(new JsonSerializerOptions(ApiJson.Options));
}
