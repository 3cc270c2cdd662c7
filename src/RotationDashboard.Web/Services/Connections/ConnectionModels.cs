using RotationDashboard.Auth0;
using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// A new connection as a user typed it (UI form or API body); nothing is trimmed or checked yet.
/// <see cref="IsSandbox"/> null means "detect": an address of the built-in sandbox makes it a sandbox connection.
/// </summary>
public sealed record ConnectionInput(
    string? Name,
    string? Domain,
    string? ClientId,
    string? ClientSecret,
    string? Audience = null,
    bool? IsSandbox = null,
    string? Description = null,
    Guid? ProjectId = null)
{
    public override string ToString() =>
        $"ConnectionInput {{ Name = {Name}, Domain = {Domain}, ClientId = {ClientId}, Audience = {Audience}, IsSandbox = {IsSandbox}, ClientSecret = {(ClientSecret is null ? "(none)" : "[redacted]")} }}";
}

/// <summary>
/// Changes to a connection; a null member keeps the stored value. A null <see cref="ClientSecret"/> keeps the stored
/// secret, except when the tenant changes: then the secret must be entered again, so a stored secret can never be
/// sent to a new address. An empty <see cref="Audience"/> resets it to the tenant's Management API audience.
/// </summary>
public sealed record ConnectionPatch(
    string? Name = null,
    string? Domain = null,
    string? ClientId = null,
    string? ClientSecret = null,
    string? Audience = null,
    bool? IsSandbox = null,
    string? Description = null,
    Guid? ProjectId = null)
{
    public override string ToString() =>
        $"ConnectionPatch {{ Name = {Name}, Domain = {Domain}, ClientId = {ClientId}, Audience = {Audience}, IsSandbox = {IsSandbox}, ClientSecret = {(ClientSecret is null ? "(unchanged)" : "[redacted]")} }}";
}

public enum ConnectionStatus
{
    /// <summary>Never tested (or changed since the last test).</summary>
    NotTested,

    /// <summary>The last test got a Management API token with every scope each rotation type needs.</summary>
    Ok,

    /// <summary>The last test got a token, but some rotation type lacks scopes.</summary>
    MissingScopes,

    /// <summary>The last test got no token.</summary>
    Failed,
}

/// <summary>A connection as the UI and the API show it. Never carries the client secret.</summary>
public sealed record ConnectionView(
    Guid Id,
    string Name,
    string Method,
    string Domain,
    string ClientId,
    string Audience,
    bool IsSandbox,
    DateTimeOffset? LastValidatedAt,
    bool? LastValidationOk,
    string? LastValidationMessage,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<RotationType, IReadOnlyList<string>> MissingScopes,
    int RotationCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Description = null,
    Guid? ProjectId = null)
{
    public ConnectionStatus Status => LastValidationOk switch
    {
        null => ConnectionStatus.NotTested,
        false => ConnectionStatus.Failed,
        true when MissingScopes.Values.Any(m => m.Count > 0) => ConnectionStatus.MissingScopes,
        true => ConnectionStatus.Ok,
    };

    /// <summary>Rotation types this connection can serve with its last known scopes.</summary>
    public IEnumerable<RotationType> SupportedRotationTypes =>
        LastValidationOk == true ? MissingScopes.Where(m => m.Value.Count == 0).Select(m => m.Key) : [];
}

/// <summary>
/// The outcome of "Test connection": whether Auth0 issued a Management API token, the scopes it carries and what
/// each rotation type still lacks. <see cref="Message"/> is scrubbed and says what to do.
/// </summary>
public sealed record ConnectionTestResult(
    bool Ok,
    TokenCheckOutcome Outcome,
    string Message,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<RotationType, IReadOnlyList<string>> MissingScopes,
    DateTimeOffset TestedAt)
{
    public bool HasMissingScopes => MissingScopes.Values.Any(m => m.Count > 0);
}

/// <summary>An application of the tenant, as the picker shows it.</summary>
public sealed record ApplicationSummary(
    string ClientId,
    string Name,
    string? AppType,
    string AuthMethod,
    string? Description)
{
    /// <summary><see cref="AuthMethod"/> when the connection may not see it (needs read:client_keys or read:client_credentials).</summary>
    public const string UnknownAuthMethod = "unknown";

    /// <summary>Human label of <see cref="AppType"/>: "Machine to Machine", "Regular Web", …</summary>
    public string AppTypeLabel => AppType switch
    {
        "non_interactive" => "Machine to Machine",
        "regular_web" => "Regular Web",
        "spa" => "Single Page",
        "native" => "Native",
        "resource_server" => "Resource Server",
        null or "" => "Unknown",
        _ => AppType,
    };

    /// <summary>Has a credential the dashboard can rotate (a client secret or private_key_jwt keys); public clients have none.</summary>
    public bool IsConfidential => AuthMethod != Auth0TokenEndpointAuthMethods.None;

    public bool UsesPrivateKeyJwt => AuthMethod == ConnectionService.PrivateKeyJwtAuthMethod;

    /// <summary>The rotation that already rotates this application's credential (in this tenant), if any.</summary>
    public RotationDashboard.Web.Services.Rotations.ApplicationOwner? RotatedBy { get; init; }

    /// <summary>The picker's search: name, client id or app type contain <paramref name="text"/> (case-insensitive).</summary>
    public bool Matches(string? text)
    {
        var trimmed = text?.Trim();
        return string.IsNullOrEmpty(trimmed)
               || Name.Contains(trimmed, StringComparison.OrdinalIgnoreCase)
               || ClientId.Contains(trimmed, StringComparison.OrdinalIgnoreCase)
               || AppTypeLabel.Contains(trimmed, StringComparison.OrdinalIgnoreCase)
               || (AppType?.Contains(trimmed, StringComparison.OrdinalIgnoreCase) ?? false);
    }
}

/// <summary>
/// The applications of a tenant (without the connection's own client and "All Applications"), filtered by the
/// search text. <see cref="TotalCount"/> counts before the search.
/// </summary>
public sealed record ApplicationList(
    IReadOnlyList<ApplicationSummary> Applications,
    int TotalCount,
    DateTimeOffset FetchedAt);
