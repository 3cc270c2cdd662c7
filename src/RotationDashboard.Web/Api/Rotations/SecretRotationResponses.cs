using System.ComponentModel;
using System.Text.Json.Serialization;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

// Responses: seed 002's names and nesting; ours are extra members after them.

public sealed record SecretRotationResponse(SecretRotationDto SecretRotation);

public sealed record SecretRotationListResponse(IReadOnlyList<SecretRotationDto> SecretRotations);

/// <summary><c>POST …/rotate-secrets</c>: the rotation after the run, and the run (ours).</summary>
public sealed record RotateSecretsResponse(SecretRotationDto SecretRotation, RotationRunDto Run);

public sealed record RotationRunListResponse(IReadOnlyList<RotationRunDto> Runs, int TotalCount);

public sealed record RotationRunResponse(RotationRunDto Run);

/// <summary>A rotation as the API returns it: seed 002's <c>secretRotation</c> and our extra members.</summary>
public sealed record SecretRotationDto(
    Guid Id,
    string Name,
    string? Description,
    SecretsMappingDto SecretsMapping,
    bool IsAutoRotationEnabled,
    int ActiveIndex,
    Guid FolderId,
    Guid ConnectionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int RotationInterval,
    [property: Description("success or failed; pending only while the first run is still under way. Never null.")]
    string RotationStatus,
    [property: Description("Never null: the creation time until a run has been attempted.")]
    DateTimeOffset LastRotationAttemptedAt,
    [property: Description("Never null: the creation time until a run has succeeded.")]
    DateTimeOffset LastRotatedAt,
    [property: Description("The last run's id (GET …/{rotationId}/runs/{runId}).")]
    Guid? LastRotationJobId,
    [property: Description("null when auto-rotation is off.")]
    DateTimeOffset? NextRotationAt,
    RotationConnectionDto Connection,
    RotationEnvironmentDto Environment,
    Guid ProjectId,
    RotationFolderDto Folder,
    RotateAtUtcDto RotateAtUtc,
    [property: Description("Why the last attempt failed (scrubbed of secrets); after a success null, or a warning when the clean-up is pending (\"Rotated; clean-up pending: …\").")]
    string? LastRotationMessage,
    [property: Description("auth0-client-secret or auth0-private-key-jwt.")]
    string Type,
    RotationParametersDto Parameters,
    [property: Description("Ours: single-phase, staged or private-key-jwt.")]
    string Strategy,
    [property: Description("Whether the last rotation was manual (create, rotate-secrets, the UI), as in Hanzo KMS.")]
    bool IsLastRotationManual,
    [property: Description("Ours (staged): seconds NEXT is published before Auth0 switches.")]
    int StagedLeadTimeSeconds,
    [property: Description("Ours (Private Key JWT): seconds the previous key stays valid after the switch.")]
    int RetireGracePeriodSeconds,
    [property: Description("Ours (Private Key JWT): each key is registered in Auth0 as a self-signed certificate that expires.")]
    bool UseSelfSignedCertificate,
    [property: Description("Ours: the application's name in Auth0 as last seen (at create, on a client id change, at every run); null when unknown.")]
    string? ApplicationName,
    [property: Description("Ours: a run holds the rotation now.")]
    bool IsRotating,
    RotationRunDto? ActiveRun,
    [property: Description("Ours: the last run failed and could not put everything back as it was (see lastRotationMessage); a person should look. Cleared by the next success.")]
    bool NeedsAttention,
    [property: Description("Ours: when auto-rotation was paused after consecutiveFailures failed runs in a row (RotationEngine:PauseAfterConsecutiveFailures); null when not paused. Turning auto-rotation on resumes.")]
    DateTimeOffset? PausedAt = null,
    [property: Description("Ours: failed runs in a row while paused (the count that paused it, plus manual failures since).")]
    int? ConsecutiveFailures = null);

/// <summary>Secret names per credential part; the members a type does not use are left out.</summary>
public sealed record SecretsMappingDto(
    string ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrivateKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Optional: NEXT client secret during a staged overlap, empty otherwise.")]
    string? ClientSecretNext = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Optional: NEXT private key during a key overlap, empty otherwise.")]
    string? PrivateKeyNext = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Optional: the NEXT private key's key id, empty otherwise.")]
    string? KeyIdNext = null);

public sealed record RotationParametersDto(string ClientId);

public sealed record RotateAtUtcDto(int Hours, int Minutes);

public sealed record RotationConnectionDto(string App, string Name, Guid Id);

public sealed record RotationEnvironmentDto(string Slug, string Name, Guid Id);

public sealed record RotationFolderDto(Guid Id, string Path);

/// <summary>One run of a rotation (ours: seed 002 has no history) with its steps; messages never hold secrets.</summary>
public sealed record RotationRunDto(
    Guid Id,
    Guid RotationId,
    RunTrigger Trigger,
    [property: Description("Who started it, e.g. token:ci-rotator, user:ada@example.com, scheduler.")]
    string Actor,
    string Strategy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    RunStatus Status,
    int Attempt,
    string? Message,
    [property: Description("Set while the run waits (Private Key JWT grace period) to retire the previous key.")]
    DateTimeOffset? WaitingUntil,
    IReadOnlyList<RotationRunStepDto> Steps);

public sealed record RotationRunStepDto(int Order, RunStepName Name, RunStepStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message);

/// <summary>
/// <c>GET …/generated-credentials</c>: seed 002's <c>{generatedCredentials, activeIndex, rotationId, type}</c>, plus
/// the NEXT credential of a run under way (ours).
/// </summary>
public sealed record GeneratedCredentialsResponse(
    IReadOnlyList<GeneratedCredentialDto> GeneratedCredentials,
    int ActiveIndex,
    Guid RotationId,
    string Type,
    GeneratedCredentialDto? Next);

/// <summary>
/// One generated credential, revealed: <c>{clientId, clientSecret}</c> (seed 002) or <c>{clientId, privateKey, keyId,
/// credentialId}</c>, and ours: the slot, its stage and whether Auth0 still accepts it.
/// </summary>
public sealed record GeneratedCredentialDto(
    string ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("PEM (PKCS#8).")] string? PrivateKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Auth0's credential id.")] string? CredentialId,
    [property: Description("null for NEXT.")] int? SlotIndex,
    CredentialStage Stage,
    [property: Description("Whether Auth0 still accepts it (a replaced client secret stops working at once).")] bool IsValid,
    string Validity,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? RetiredAt)
{
    public override string ToString() => $"GeneratedCredentialDto {{ ClientId = {ClientId}, KeyId = {KeyId}, Stage = {Stage}, secret = [redacted] }}";
}

/// <summary><c>GET /api/v2/secret-rotations/options</c> (Hanzo KMS's shape, sorted by name, plus our members).</summary>
public sealed record SecretRotationOptionsResponse(IReadOnlyList<SecretRotationOptionDto> SecretRotationOptions);

public sealed record SecretRotationOptionDto(
    string Name,
    string Type,
    string Connection,
    SecretRotationTemplateDto Template,
    [property: Description("Ours: the strategies the type supports; the first is the default.")]
    IReadOnlyList<string> Strategies,
    string DefaultStrategy,
    [property: Description("Ours: Management API scopes the connection's application needs.")]
    IReadOnlyList<string> RequiredScopes,
    [property: Description("Ours: the route base of this type.")]
    string Path);

public sealed record SecretRotationTemplateDto(SecretsMappingDto SecretsMapping);
