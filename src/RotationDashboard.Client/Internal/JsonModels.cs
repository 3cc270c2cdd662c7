using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationDashboard.Client.Internal;

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope);

internal sealed record OAuthErrorResponse(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>The dashboard's consumer read API body: <c>{"secret":{…}}</c>.</summary>
internal sealed record ConsumerSecretResponse(ConsumerSecret? Secret);

internal sealed record ConsumerSecret(string? Key, ConsumerSecretVersion? Current, ConsumerSecretVersion? Next);

internal sealed record ConsumerSecretVersion(string? Value, string? VersionId, int? Version);

/// <summary>The dashboard's credential-set read body: <c>{"credentialSet":{…}}</c>, one rotation's whole credential from one snapshot.</summary>
internal sealed record ConsumerCredentialSetResponse(ConsumerCredentialSet? CredentialSet);

internal sealed record ConsumerCredentialSet(int? Version, ConsumerSecretsMapping? SecretsMapping, ConsumerCredential? Current, ConsumerCredential? Next);

internal sealed record ConsumerSecretsMapping(string? ClientId, string? ClientSecret, string? PrivateKey, string? KeyId);

internal sealed record ConsumerCredential(int? Version, string? VersionId, string? ClientId, string? ClientSecret, string? PrivateKey, string? KeyId)
{
    public override string ToString() => $"ConsumerCredential {{ Version = {Version}, ClientId = {ClientId}, KeyId = {KeyId}, secret = [redacted] }}";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthErrorResponse))]
[JsonSerializable(typeof(ConsumerSecretResponse))]
[JsonSerializable(typeof(ConsumerCredentialSetResponse))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
