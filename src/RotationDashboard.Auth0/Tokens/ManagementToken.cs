using System.Text.Json.Serialization;

namespace RotationDashboard.Auth0.Tokens;

/// <summary>A cached Management API access token and what it grants.</summary>
internal sealed record ManagementToken(
    string AccessToken,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RefreshAt,
    IReadOnlySet<string> Scopes)
{
    public override string ToString() =>
        $"ManagementToken {{ ExpiresAt = {ExpiresAt:u}, Scopes = {string.Join(' ', Scopes)}, AccessToken = *** }}";
}

/// <summary>The 200 body of <c>/oauth/token</c>.</summary>
internal sealed record TokenEndpointResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    public override string ToString() => $"TokenEndpointResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Scope = {Scope} }}";

    public static IReadOnlySet<string> ParseScopes(string? scope) =>
        (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
}
