using System.Text.Json.Serialization;

namespace RotationDashboard.Auth0;

/// <summary>
/// The members of an Auth0 application the dashboard uses; the API adds fields often, unknown ones are ignored.
/// <see cref="ClientSecret"/> is present only with <c>read:client_keys</c> and never for private_key_jwt clients.
/// </summary>
public sealed record Auth0Client
{
    [JsonPropertyName("client_id")]
    public string ClientId { get; init; } = string.Empty;

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary><c>native, spa, regular_web, non_interactive, resource_server, …</c></summary>
    [JsonPropertyName("app_type")]
    public string? AppType { get; init; }

    /// <summary>The tenant's legacy "All Applications" client (JSON member <c>global</c>; query filter <c>is_global</c>).</summary>
    [JsonPropertyName("global")]
    public bool? IsGlobal { get; init; }

    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    /// <summary><c>none</c>, <c>client_secret_post</c> or <c>client_secret_basic</c>; null when client_authentication_methods is used.</summary>
    [JsonPropertyName("token_endpoint_auth_method")]
    public string? TokenEndpointAuthMethod { get; init; }

    [JsonPropertyName("client_authentication_methods")]
    public Auth0ClientAuthenticationMethods? ClientAuthenticationMethods { get; init; }

    [JsonPropertyName("jwt_configuration")]
    public Auth0JwtConfiguration? JwtConfiguration { get; init; }

    /// <summary>Ids of the credentials attached for private_key_jwt, in Auth0's order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> PrivateKeyJwtCredentialIds =>
        ClientAuthenticationMethods?.PrivateKeyJwt?.Credentials.Select(c => c.Id).ToArray() ?? [];

    [JsonIgnore]
    public bool UsesPrivateKeyJwt => ClientAuthenticationMethods?.PrivateKeyJwt is not null;

    public override string ToString() =>
        $"Auth0Client {{ ClientId = {ClientId}, Name = {Name}, AppType = {AppType}, IsGlobal = {IsGlobal}, " +
        $"TokenEndpointAuthMethod = {TokenEndpointAuthMethod}, PrivateKeyJwtCredentials = [{string.Join(", ", PrivateKeyJwtCredentialIds)}], " +
        $"JwtAlg = {JwtConfiguration?.Alg}, ClientSecret = {(ClientSecret is null ? "(none)" : "***")} }}";
}

public sealed record Auth0ClientAuthenticationMethods
{
    [JsonPropertyName("private_key_jwt")]
    public Auth0PrivateKeyJwtMethod? PrivateKeyJwt { get; init; }
}

public sealed record Auth0PrivateKeyJwtMethod
{
    [JsonPropertyName("credentials")]
    public IReadOnlyList<Auth0CredentialReference> Credentials { get; init; } = [];
}

public sealed record Auth0CredentialReference([property: JsonPropertyName("id")] string Id);

public sealed record Auth0JwtConfiguration
{
    /// <summary>Must be <c>RS256</c> before client_authentication_methods can be configured.</summary>
    [JsonPropertyName("alg")]
    public string? Alg { get; init; }
}

/// <summary>Values of <c>token_endpoint_auth_method</c>.</summary>
public static class Auth0TokenEndpointAuthMethods
{
    public const string None = "none";
    public const string ClientSecretPost = "client_secret_post";
    public const string ClientSecretBasic = "client_secret_basic";

    public static bool IsKnown(string? method) => method is None or ClientSecretPost or ClientSecretBasic;
}

/// <summary>Signing algorithms Auth0 accepts for a private_key_jwt credential.</summary>
public static class Auth0CredentialAlgorithms
{
    public const string RS256 = "RS256";
    public const string RS384 = "RS384";
    public const string PS256 = "PS256";

    public static bool IsSupported(string? algorithm) => algorithm is RS256 or RS384 or PS256;
}
