using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RotationDashboard.Web.Api.Infisical;

/// <summary>
/// A secret in Infisical's raw read shape (<c>/api/v3/secrets/raw</c>, <c>/api/v4/secrets</c>). Field names and types
/// follow upstream; what this store has no notion of is answered with upstream's empty value (no comment, no reminder,
/// no tags, no metadata). <see cref="ToString"/> never shows the value.
/// </summary>
public sealed record InfisicalSecretDto(
    [property: Description("The secret's id.")] string Id,
    [property: JsonPropertyName("_id"), Description("The same id (upstream keeps both).")] string LegacyId,
    [property: Description("The project id.")] string Workspace,
    [property: Description("Environment slug.")] string Environment,
    [property: Description("The CURRENT version's number.")] int Version,
    [property: Description("Always shared (this store has no personal secrets).")] string Type,
    string SecretKey,
    [property: Description("The CURRENT value, or <hidden-by-infisical> when viewSecretValue=false.")] string SecretValue,
    string SecretComment,
    string? SecretReminderNote,
    int? SecretReminderRepeatDays,
    bool SkipMultilineEncoding,
    [property: Description("ISO 8601 UTC with milliseconds.")] string CreatedAt,
    [property: Description("ISO 8601 UTC with milliseconds.")] string UpdatedAt,
    [property: Description("The folder path of the secret.")] string SecretPath,
    bool SecretValueHidden,
    IReadOnlyList<InfisicalSecretMetadataDto> SecretMetadata,
    IReadOnlyList<InfisicalTagDto> Tags,
    [property: Description("True when a rotation manages the secret.")] bool IsRotatedSecret,
    [property: Description("The managing rotation's id, else null.")] string? RotationId)
{
    public override string ToString() => $"InfisicalSecretDto {{ SecretKey = {SecretKey}, Version = {Version}, SecretValue = [redacted] }}";
}

public sealed record InfisicalSecretMetadataDto(string Key, string Value);

public sealed record InfisicalTagDto(string Id, string Slug, string? Color, string Name);

/// <summary>An imported folder's secrets (upstream's <c>imports</c>); this store has no imports, so the list is always empty.</summary>
public sealed record InfisicalImportDto(string SecretPath, string Environment, string? FolderId, IReadOnlyList<InfisicalSecretDto> Secrets);

public sealed record InfisicalSecretListResponse(IReadOnlyList<InfisicalSecretDto> Secrets, IReadOnlyList<InfisicalImportDto> Imports);

public sealed record InfisicalSecretResponse(InfisicalSecretDto Secret);

/// <summary><c>POST /api/v1/auth/universal-auth/login</c> body.</summary>
public sealed record UniversalAuthLoginRequest(string? ClientId, string? ClientSecret)
{
    public override string ToString() => $"UniversalAuthLoginRequest {{ ClientId = {ClientId}, ClientSecret = [redacted] }}";
}

/// <summary><c>POST /api/v1/auth/token/renew</c> body.</summary>
public sealed record TokenRenewRequest(string? AccessToken)
{
    public override string ToString() => "TokenRenewRequest { AccessToken = [redacted] }";
}

/// <summary>Upstream's login and renew answer. <see cref="ToString"/> never shows the token.</summary>
public sealed record AccessTokenResponse(
    string AccessToken,
    [property: Description("Seconds until the token expires.")] int ExpiresIn,
    [property: JsonPropertyName("accessTokenMaxTTL"), Description("Seconds from login after which the token cannot be renewed.")] int AccessTokenMaxTtl,
    [property: Description("Always Bearer.")] string TokenType)
{
    public override string ToString() => $"AccessTokenResponse {{ ExpiresIn = {ExpiresIn}, AccessToken = [redacted] }}";
}
