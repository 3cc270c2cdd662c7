using System.ComponentModel;
using System.Text.Json.Serialization;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Api.Rotations;

// Request bodies: every member is nullable so that a missing field reaches validation (and gets a per-field
// message) instead of failing deserialization. Seed 002's fields come first, ours after.

/// <summary>
/// <c>POST /api/v2/secret-rotations/{type}</c>: seed 002's body, plus our optional <c>strategy</c>, timings and
/// <c>switchToPrivateKeyJwt</c>.
/// </summary>
public sealed class CreateSecretRotationRequest
{
    [Description("Slug: lowercase letters, digits and single hyphens, 1-64 characters; unique in the folder.")]
    public string? Name { get; init; }

    public Guid? ProjectId { get; init; }

    [Description("At most 256 characters.")]
    public string? Description { get; init; }

    [Description("An Auth0 connection (GET /api/v1/app-connections/auth0).")]
    public Guid? ConnectionId { get; init; }

    [Description("Environment slug, e.g. dev.")]
    public string? Environment { get; init; }

    [Description("Folder path, e.g. / or /payments; the folder must exist. Default /.")]
    public string? SecretPath { get; init; }

    [Description("Default true (as in Hanzo KMS).")]
    public bool? IsAutoRotationEnabled { get; init; }

    [Description("Days between rotations, 1-365.")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? RotationInterval { get; init; }

    /// <summary>UTC time of day the rotation runs at; default 00:00.</summary>
    public RotateAtUtcInput? RotateAtUtc { get; init; }

    public RotationParametersInput? Parameters { get; init; }

    /// <summary>Secret names: clientId and clientSecret (auth0-client-secret); clientId, privateKey and keyId (auth0-private-key-jwt).</summary>
    public SecretsMappingInput? SecretsMapping { get; init; }

    [Description("Optional; must match the type in the path.")]
    public string? Type { get; init; }

    [Description("auth0-client-secret: single-phase (the default when left out, Hanzo KMS's behaviour) or staged; " +
                 "auth0-private-key-jwt: private-key-jwt.")]
    public string? Strategy { get; init; }

    [Description("Staged: seconds NEXT is published before Auth0 switches (default 300, at most 7 days).")]
    public int? StagedLeadTimeSeconds { get; init; }

    [Description("Private Key JWT: seconds the previous key stays valid after the switch (default 3600, at most 30 days).")]
    public int? RetireGracePeriodSeconds { get; init; }

    [Description("Private Key JWT: register each new key in Auth0 as a self-signed X.509 certificate, which Auth0 stops accepting " +
                 "when it expires (two rotation intervals plus the grace period, at least 30 days). Default false.")]
    public bool? UseSelfSignedCertificate { get; init; }

    [Description("Private Key JWT on an application that uses a client secret today: switch it (its secret stops working).")]
    public bool? SwitchToPrivateKeyJwt { get; init; }
}

/// <summary>
/// <c>PATCH /api/v2/secret-rotations/{type}/{rotationId}</c>: any member may be left out (kept). Connection,
/// project, environment and path cannot change; sending them with another value is a 400.
/// </summary>
public sealed class UpdateSecretRotationRequest
{
    private readonly string? _description;

    public string? Name { get; init; }

    [Description("null or an empty string clears it.")]
    public string? Description
    {
        get => _description;
        init
        {
            _description = value;
            DescriptionSent = true;
        }
    }

    /// <summary>True when the body had <c>description</c>, even as null (which clears it).</summary>
    [JsonIgnore]
    public bool DescriptionSent { get; private init; }

    public bool? IsAutoRotationEnabled { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? RotationInterval { get; init; }

    /// <summary>Either member may be left out (kept).</summary>
    public RotateAtUtcInput? RotateAtUtc { get; init; }

    public RotationParametersInput? Parameters { get; init; }

    /// <summary>Members left out keep their names; a new name renames the mapped secret.</summary>
    public SecretsMappingInput? SecretsMapping { get; init; }

    public string? Strategy { get; init; }

    public int? StagedLeadTimeSeconds { get; init; }

    public int? RetireGracePeriodSeconds { get; init; }

    public bool? UseSelfSignedCertificate { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public Guid? ConnectionId { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public Guid? ProjectId { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? Environment { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? SecretPath { get; init; }

    [Description("Cannot change; accepted only with the current value.")]
    public string? Type { get; init; }
}

public sealed class RotateAtUtcInput
{
    [Description("0-23")]
    public int? Hours { get; init; }

    [Description("0-59")]
    public int? Minutes { get; init; }
}

public sealed class RotationParametersInput
{
    [Description("The Auth0 application's client id.")]
    public string? ClientId { get; init; }
}

public sealed class SecretsMappingInput
{
    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public string? PrivateKey { get; init; }

    public string? KeyId { get; init; }

    /// <summary>Optional second secret that holds the NEXT client secret during a staged rotation's overlap (empty otherwise).</summary>
    public string? ClientSecretNext { get; init; }

    /// <summary>Optional second secret that holds the NEXT private key during a key rotation's overlap (empty otherwise).</summary>
    public string? PrivateKeyNext { get; init; }

    /// <summary>The NEXT private key's key id, next to <see cref="PrivateKeyNext"/>.</summary>
    public string? KeyIdNext { get; init; }
}

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
    [property: Description("success or failed; null before the first attempt finished.")]
    string? RotationStatus,
    DateTimeOffset? LastRotationAttemptedAt,
    DateTimeOffset? LastRotatedAt,
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
    [property: Description("Ours: whether the last rotation was manual (create, rotate-secrets, the UI).")]
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
    bool NeedsAttention)
{
    public static SecretRotationDto From(RotationView view) => new(
        view.Id,
        view.Name,
        view.Description,
        SecretsMappingDto.From(view.SecretsMapping),
        view.IsAutoRotationEnabled,
        view.ActiveIndex,
        view.FolderId,
        view.ConnectionId,
        view.CreatedAt,
        view.UpdatedAt,
        view.RotationInterval,
        view.RotationStatus,
        view.LastRotationAttemptedAt,
        view.LastRotatedAt,
        view.LastRotationJobId,
        view.NextRotationAt,
        new RotationConnectionDto(view.Connection.App, view.Connection.Name, view.Connection.Id),
        new RotationEnvironmentDto(view.Environment.Slug, view.Environment.Name, view.Environment.Id),
        view.ProjectId,
        new RotationFolderDto(view.Folder.Id, view.Folder.Path),
        new RotateAtUtcDto(view.RotateAtUtc.Hours, view.RotateAtUtc.Minutes),
        view.LastRotationMessage,
        view.Type,
        new RotationParametersDto(view.Parameters.ClientId),
        RotationApiSlugs.ToSlug(view.Strategy),
        view.IsLastRotationManual,
        (int)view.StagedLeadTime.TotalSeconds,
        (int)view.RetireGracePeriod.TotalSeconds,
        view.UseSelfSignedCertificate,
        view.ApplicationName,
        view.IsRotating,
        view.ActiveRun is null ? null : RotationRunDto.From(view.ActiveRun),
        view.NeedsAttention);
}

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
    string? KeyIdNext = null)
{
    public static SecretsMappingDto From(SecretsMapping mapping) =>
        new(mapping.ClientId, mapping.ClientSecret, mapping.PrivateKey, mapping.KeyId, mapping.ClientSecretNext, mapping.PrivateKeyNext, mapping.KeyIdNext);
}

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
    IReadOnlyList<RotationRunStepDto> Steps)
{
    public static RotationRunDto From(RunView run) => new(
        run.Id,
        run.RotationId,
        run.Trigger,
        run.Actor,
        RotationApiSlugs.ToSlug(run.Strategy),
        run.StartedAt,
        run.FinishedAt,
        run.Status,
        run.Attempt,
        run.Message,
        run.WaitingUntil,
        run.Steps.Select(s => new RotationRunStepDto(s.Order, s.Name, s.Status, s.StartedAt, s.FinishedAt, s.Message)).ToList());
}

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
    GeneratedCredentialDto? Next)
{
    public static GeneratedCredentialsResponse From(GeneratedCredentialsView view) => new(
        view.GeneratedCredentials.Select(GeneratedCredentialDto.From).ToList(),
        view.ActiveIndex,
        view.RotationId,
        view.Type,
        view.Next is null ? null : GeneratedCredentialDto.From(view.Next));
}

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
    public static GeneratedCredentialDto From(GeneratedCredentialSlot slot) => new(
        slot.ClientId, slot.ClientSecret, slot.PrivateKeyPem, slot.KeyId, slot.CredentialId, slot.SlotIndex, slot.Stage, slot.IsValid,
        slot.Validity, slot.CreatedAt, slot.RetiredAt);

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

/// <summary>API spellings of <see cref="RotationStrategy"/> (kebab-case, like the type slugs).</summary>
public static class RotationApiSlugs
{
    public const string SinglePhase = "single-phase";
    public const string Staged = "staged";
    public const string PrivateKeyJwt = "private-key-jwt";

    public static string ToSlug(RotationStrategy strategy) => strategy switch
    {
        RotationStrategy.SinglePhase => SinglePhase,
        RotationStrategy.Staged => Staged,
        RotationStrategy.PrivateKeyJwt => PrivateKeyJwt,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    /// <summary>Accepts the slugs and the enum names in any case (<c>SinglePhase</c>, <c>singlePhase</c>).</summary>
    public static bool TryParseStrategy(string? text, out RotationStrategy strategy)
    {
        var normalized = text?.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        foreach (var candidate in Enum.GetValues<RotationStrategy>())
        {
            if (string.Equals(normalized, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                strategy = candidate;
                return true;
            }
        }

        strategy = default;
        return false;
    }
}
