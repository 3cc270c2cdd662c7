using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>
/// The wizard's or <c>POST /api/v2/secret-rotations/{type}</c> body (seed 002): the domain's <see cref="RotationSettings"/>
/// plus where the rotation goes, by name. <see cref="Environment"/> is the environment slug and <see cref="SecretPath"/>
/// the folder path; <see cref="CreateRotation"/> resolves them to the settings' environment and folder ids.
/// </summary>
public sealed record CreateRotationRequest
{
    public required RotationSettings Settings { get; init; }

    public required string Environment { get; init; }

    public string SecretPath { get; init; } = "/";

    /// <summary>
    /// Private Key JWT on an application that authenticates with a client secret today: switching breaks every
    /// consumer that uses the secret, so it happens only when this is set.
    /// </summary>
    public bool SwitchToPrivateKeyJwt { get; init; }
}

public sealed record RotationConnectionRef(string App, string Name, Guid Id);

public sealed record RotationEnvironmentRef(string Slug, string Name, Guid Id);

public sealed record RotationFolderRef(Guid Id, string Path);

/// <summary>
/// A rotation: its <see cref="Settings"/> (the domain's record, read from the entity in one place) and seed 002's other
/// fields (names match its JSON in camelCase), whether a run holds it now, and the run that is under way or waiting.
/// <see cref="LastRotationMessage"/> is decrypted and scrubbed.
/// </summary>
public sealed record RotationView(
    Guid Id,
    RotationSettings Settings,
    int ActiveIndex,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? RotationStatus,
    DateTimeOffset? LastRotationAttemptedAt,
    DateTimeOffset? LastRotatedAt,
    Guid? LastRotationJobId,
    DateTimeOffset? NextRotationAt,
    RotationConnectionRef Connection,
    RotationEnvironmentRef Environment,
    RotationFolderRef Folder,
    string? LastRotationMessage,
    bool IsLastRotationManual,
    string? ApplicationName,
    long RowVersion,
    bool IsRotating,
    RunView? ActiveRun,
    bool NeedsAttention = false,
    RotationPause? Pause = null)
{
    // Shortcuts into Settings for the fields pages read most; a new field is read as Settings.X and needs none.
    public string Name => Settings.Name;

    public string? Description => Settings.Description;

    /// <summary>The type's slug, as in the API.</summary>
    public string Type => Settings.Type.ToSlug();

    public RotationStrategy Strategy => Settings.Strategy ?? RotationSlugs.DefaultStrategyFor(Settings.Type);

    public RotationParameters Parameters => Settings.Parameters;

    public SecretsMapping SecretsMapping => Settings.SecretsMapping;

    public bool IsAutoRotationEnabled => Settings.IsAutoRotationEnabled;

    public int RotationInterval => Settings.RotationInterval;

    public RotateAtUtc RotateAtUtc => Settings.RotateAtUtc;

    public TimeSpan StagedLeadTime => Settings.StagedLeadTime ?? RotationRules.DefaultStagedLeadTime;

    public TimeSpan RetireGracePeriod => Settings.RetireGracePeriod ?? RotationRules.DefaultRetireGracePeriod;

    public bool UseSelfSignedCertificate => Settings.UseSelfSignedCertificate;

    public Guid ConnectionId => Settings.ConnectionId;

    public Guid ProjectId => Settings.ProjectId;

    public Guid FolderId => Settings.FolderId;
}

public sealed record RunStepView(int Order, RunStepName Name, RunStepStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message);

/// <summary>
/// One run (history entry) with its steps. <see cref="WaitingUntil"/> is set while a Private Key JWT run waits to
/// retire the previous key.
/// </summary>
public sealed record RunView(
    Guid Id,
    Guid RotationId,
    RunTrigger Trigger,
    string Actor,
    RotationStrategy Strategy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    RunStatus Status,
    int Attempt,
    string? Message,
    DateTimeOffset? WaitingUntil,
    IReadOnlyList<RunStepView> Steps)
{
    public bool IsFinished => Status != RunStatus.Running;

    public TimeSpan? Duration => FinishedAt - StartedAt;
}

/// <summary>What <c>Rotate now</c> started, and the rotation as it is after it (or as it is now, when not waited for).</summary>
public sealed record RotateNowResult(RunView Run, RotationView Rotation, bool ResumedUnfinishedRun);

public enum RotationListFilter
{
    All,
    Failed,

    /// <summary>Auto-rotating and due within 7 days (or overdue).</summary>
    DueSoon,
    AutoRotationOff,

    /// <summary>A run holds the rotation now.</summary>
    Rotating,

    /// <summary>Single-phase and auto-rotating: each scheduled run interrupts the consumers (the dashboard's risky ones).</summary>
    SinglePhaseAutoRotation,
}

public enum RotationSortField
{
    Name,
    NextRotationAt,
    LastRotatedAt,
    Status,
    Strategy,
}

/// <summary>The dashboard list: filtered, sorted and paged in SQL.</summary>
public sealed record RotationDashboardQuery
{
    public const int MaxTake = 200;

    public Guid? ProjectId { get; init; }

    public Guid? EnvironmentId { get; init; }

    /// <summary>Case-insensitive "contains" on name, description, application client id or name, and connection name.</summary>
    public string? Search { get; init; }

    public RotationListFilter Filter { get; init; }

    public RotationStrategy? Strategy { get; init; }

    public Guid? ConnectionId { get; init; }

    public RotationSortField SortBy { get; init; }

    public bool Descending { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 25;
}

/// <summary>One row of the dashboard list.</summary>
public sealed record RotationListItem(
    Guid Id,
    string Name,
    string? Description,
    string Type,
    RotationStrategy Strategy,
    Guid ConnectionId,
    string ConnectionName,
    Guid ProjectId,
    Guid EnvironmentId,
    string EnvironmentSlug,
    string EnvironmentName,
    Guid FolderId,
    string SecretPath,
    string ClientId,
    string? ApplicationName,
    SecretsMapping SecretsMapping,
    string? RotationStatus,
    bool IsAutoRotationEnabled,
    int RotationInterval,
    RotateAtUtc RotateAtUtc,
    DateTimeOffset? NextRotationAt,
    DateTimeOffset? LastRotatedAt,
    DateTimeOffset? LastRotationAttemptedAt,
    string? LastRotationMessage,
    bool IsRotating,
    long RowVersion,
    bool NeedsAttention = false,
    RotationPause? Pause = null);

/// <summary>Auto-rotation was paused at <paramref name="PausedAt"/> after <paramref name="ConsecutiveFailures"/> failed runs in a row.</summary>
public sealed record RotationPause(DateTimeOffset PausedAt, int ConsecutiveFailures)
{
    public static RotationPause? Of(Rotation rotation) =>
        rotation.PausedAt is { } at ? new RotationPause(at, rotation.ConsecutiveFailures) : null;
}

/// <summary>The dashboard's headline counts.</summary>
public sealed record RotationSummary(
    int Total,
    int Failing,
    int DueWithin7Days,
    int AutoRotationDisabled,
    int SinglePhaseWithAutoRotation,
    int Rotating);

public enum CredentialStage
{
    /// <summary>Mapped to the secrets now.</summary>
    Current,

    /// <summary>Generated by a run under way, not promoted yet.</summary>
    Next,

    /// <summary>The credential the current one replaced.</summary>
    Previous,
}

/// <summary>
/// One generated credential, revealed. <see cref="IsValid"/> says whether Auth0 still accepts it: a replaced client
/// secret is dead at once (Infisical labels it "retired, revoked during the next rotation", which is wrong for Auth0),
/// a replaced key lives until its grace period ends. <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed record GeneratedCredentialSlot(
    int? SlotIndex,
    CredentialStage Stage,
    bool IsValid,
    string Validity,
    string ClientId,
    string? ClientSecret,
    string? PrivateKeyPem,
    string? KeyId,
    string? CredentialId,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? RetiredAt)
{
    public override string ToString() =>
        $"GeneratedCredentialSlot {{ SlotIndex = {SlotIndex}, Stage = {Stage}, IsValid = {IsValid}, ClientId = {ClientId}, KeyId = {KeyId}, secret = [redacted] }}";
}

/// <summary>
/// Seed 002's <c>{generatedCredentials, activeIndex, rotationId, type}</c>: the one or two slots in slot order, plus
/// the NEXT credential of a run under way.
/// </summary>
public sealed record GeneratedCredentialsView(
    Guid RotationId,
    string Type,
    int ActiveIndex,
    IReadOnlyList<GeneratedCredentialSlot> GeneratedCredentials,
    GeneratedCredentialSlot? Next);
