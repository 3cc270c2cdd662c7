using System.ComponentModel;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Api.Connections;

/// <summary><c>POST</c> body (Infisical's shape) plus our optional <c>isSandbox</c>.</summary>
public sealed class CreateAuth0ConnectionRequest
{
    public string? Name { get; init; }

    public string? Method { get; init; }

    [Description("At most 256 characters; an empty string clears it (on update).")]
    public string? Description { get; init; }

    [Description("The project the connection belongs to (Infisical's project connections); left out: every project may use it.")]
    public Guid? ProjectId { get; init; }

    public Auth0CredentialsRequest? Credentials { get; init; }

    /// <summary>Null: detected from the domain (the built-in sandbox's address).</summary>
    public bool? IsSandbox { get; init; }

    public override string ToString() => $"CreateAuth0ConnectionRequest {{ Name = {Name}, Method = {Method}, Credentials = {Credentials} }}";
}

/// <summary><c>PATCH</c> body: any member may be left out (kept); a left-out secret keeps the stored one.</summary>
public sealed class UpdateAuth0ConnectionRequest
{
    public string? Name { get; init; }

    public string? Method { get; init; }

    [Description("At most 256 characters; an empty string clears it (on update).")]
    public string? Description { get; init; }

    [Description("The project the connection belongs to (Infisical's project connections); left out: every project may use it.")]
    public Guid? ProjectId { get; init; }

    public Auth0CredentialsRequest? Credentials { get; init; }

    public bool? IsSandbox { get; init; }

    public override string ToString() => $"UpdateAuth0ConnectionRequest {{ Name = {Name}, Method = {Method}, Credentials = {Credentials} }}";
}

public sealed class Auth0CredentialsRequest
{
    public string? Domain { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public string? Audience { get; init; }

    public override string ToString() =>
        $"{{ Domain = {Domain}, ClientId = {ClientId}, Audience = {Audience}, ClientSecret = {(ClientSecret is null ? "(none)" : "[redacted]")} }}";
}

/// <summary>A connection as the API returns it (Infisical's app-connection members, plus ours): <c>credentials</c> never include the secret.</summary>
public sealed record AppConnectionDto(
    Guid Id,
    string Name,
    string App,
    string Method,
    Auth0CredentialsDto Credentials,
    bool IsSandbox,
    string Status,
    DateTimeOffset? LastValidatedAt,
    bool? LastValidationOk,
    string? LastValidationMessage,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MissingScopes,
    int RotationCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Description,
    [property: Description("null: every project may use it.")]
    Guid? ProjectId)
{
    public const string Auth0App = "auth0";

    public static AppConnectionDto From(ConnectionView view) => new(
        view.Id,
        view.Name,
        Auth0App,
        view.Method,
        new Auth0CredentialsDto(view.Domain, view.ClientId, view.Audience),
        view.IsSandbox,
        ToSlug(view.Status),
        view.LastValidatedAt,
        view.LastValidationOk,
        view.LastValidationMessage,
        view.GrantedScopes,
        BySlug(view.MissingScopes),
        view.RotationCount,
        view.CreatedAt,
        view.UpdatedAt,
        view.Description,
        view.ProjectId);

    /// <summary>The request body as the application's input (<c>credentials</c> flattened).</summary>
    public static ConnectionInput ToInput(CreateAuth0ConnectionRequest request) => new(
        request.Name,
        request.Credentials?.Domain,
        request.Credentials?.ClientId,
        request.Credentials?.ClientSecret,
        request.Credentials?.Audience,
        request.IsSandbox,
        request.Description,
        request.ProjectId);

    public static ConnectionPatch ToPatch(UpdateAuth0ConnectionRequest request) => new(
        request.Name,
        request.Credentials?.Domain,
        request.Credentials?.ClientId,
        request.Credentials?.ClientSecret,
        request.Credentials?.Audience,
        request.IsSandbox,
        request.Description,
        request.ProjectId);

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> BySlug(IReadOnlyDictionary<RotationType, IReadOnlyList<string>> missing) =>
        missing.ToDictionary(m => m.Key.ToSlug(), m => m.Value);

    private static string ToSlug(ConnectionStatus status) => status switch
    {
        ConnectionStatus.Ok => "ok",
        ConnectionStatus.MissingScopes => "missing-scopes",
        ConnectionStatus.Failed => "failed",
        _ => "not-tested",
    };
}

public sealed record Auth0CredentialsDto(string Domain, string ClientId, string Audience);

public sealed record AppConnectionResponse(AppConnectionDto AppConnection);

public sealed record AppConnectionListResponse(IReadOnlyList<AppConnectionDto> AppConnections);

public sealed record ConnectionValidationDto(
    bool Ok,
    TokenCheckOutcomeDto Outcome,
    string Message,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MissingScopes,
    DateTimeOffset TestedAt)
{
    public static ConnectionValidationDto From(ConnectionTestResult result) => new(
        result.Ok,
        (TokenCheckOutcomeDto)result.Outcome,
        result.Message,
        result.GrantedScopes,
        AppConnectionDto.BySlug(result.MissingScopes),
        result.TestedAt);
}

/// <summary>Mirrors <see cref="RotationDashboard.Auth0.TokenCheckOutcome"/> so the API's values do not follow a library rename.</summary>
public enum TokenCheckOutcomeDto
{
    Valid,
    InvalidCredential,
    AuthenticatedNotAuthorized,
    Transient,
    Rejected,
}

public sealed record ValidateConnectionResponse(AppConnectionDto AppConnection, ConnectionValidationDto Validation);

/// <summary>One application for the picker (Infisical returns <c>{id, name}</c>; the rest is ours).</summary>
public sealed record Auth0ClientDto(
    string Id,
    string Name,
    string? AppType,
    string AuthMethod,
    string? Description,
    [property: Description("Ours: the rotation that already rotates this application in this tenant (a second one is refused); null when none.")]
    Auth0ClientRotationDto? RotatedBy = null)
{
    public static Auth0ClientDto From(ApplicationSummary application) =>
        new(application.ClientId, application.Name, application.AppType, application.AuthMethod, application.Description,
            application.RotatedBy is { } owner ? new Auth0ClientRotationDto(owner.RotationId, owner.RotationName, owner.EnvironmentSlug, owner.FolderPath) : null);
}

public sealed record Auth0ClientRotationDto(Guid Id, string Name, string Environment, string SecretPath);

public sealed record Auth0ClientsResponse(IReadOnlyList<Auth0ClientDto> Clients, int TotalCount, DateTimeOffset FetchedAt);

/// <summary><c>GET /api/v1/app-connections/options</c>: the apps connections can be made to (Infisical's shape).</summary>
public sealed record AppConnectionOptionsResponse(IReadOnlyList<AppConnectionOptionDto> AppConnectionOptions);

public sealed record AppConnectionOptionDto(string Name, string App, IReadOnlyList<string> Methods);

/// <summary><c>GET /api/v1/app-connections/auth0/available</c>: the connections the caller may use, as Infisical lists them.</summary>
public sealed record AvailableAppConnectionsResponse(IReadOnlyList<AvailableAppConnectionDto> AppConnections);

public sealed record AvailableAppConnectionDto(string App, string Name, Guid Id, string? Description, Guid? ProjectId);
