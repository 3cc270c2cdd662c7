using RotationDashboard.Core.Rotations;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>
/// The wizard's or <c>POST /api/v2/secret-rotations/{type}</c> body (seed 002), plus our strategy and timings.
/// <see cref="Environment"/> is the environment slug, <see cref="SecretPath"/> the folder path.
/// </summary>
public sealed record CreateRotationRequest
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary><c>auth0-client-secret</c> or <c>auth0-private-key-jwt</c>.</summary>
    public string Type { get; init; } = RotationSlugs.Auth0ClientSecret;

    /// <summary>Null picks the type's default (single-phase for client secrets, as in seed 002).</summary>
    public RotationStrategy? Strategy { get; init; }

    public Guid ConnectionId { get; init; }

    public Guid ProjectId { get; init; }

    public required string Environment { get; init; }

    public string SecretPath { get; init; } = "/";

    public bool IsAutoRotationEnabled { get; init; } = true;

    public int RotationInterval { get; init; } = 30;

    public RotateAtUtc? RotateAtUtc { get; init; }

    public RotationParameters? Parameters { get; init; }

    public SecretsMapping? SecretsMapping { get; init; }

    /// <summary>Staged: how long NEXT is published before Auth0 switches (default 5 minutes).</summary>
    public TimeSpan? StagedLeadTime { get; init; }

    /// <summary>Private Key JWT: how long the previous key stays valid after promotion (default 1 hour).</summary>
    public TimeSpan? RetireGracePeriod { get; init; }

    /// <summary>Private Key JWT: register each key in Auth0 as a self-signed certificate (Auth0 enforces its expiry).</summary>
    public bool UseSelfSignedCertificate { get; init; }

    /// <summary>
    /// Private Key JWT on an application that authenticates with a client secret today: switching breaks every
    /// consumer that uses the secret, so it happens only when this is set.
    /// </summary>
    public bool SwitchToPrivateKeyJwt { get; init; }
}

/// <summary>A partial update (<c>PATCH</c>): null leaves a field as it is. Connection, environment and path cannot change.</summary>
public sealed record UpdateRotationRequest
{
    public string? Name { get; init; }

    /// <summary>An empty string clears the description.</summary>
    public string? Description { get; init; }

    public bool? IsAutoRotationEnabled { get; init; }

    public int? RotationInterval { get; init; }

    public RotateAtUtc? RotateAtUtc { get; init; }

    public RotationParameters? Parameters { get; init; }

    public SecretsMapping? SecretsMapping { get; init; }

    public RotationStrategy? Strategy { get; init; }

    public TimeSpan? StagedLeadTime { get; init; }

    public TimeSpan? RetireGracePeriod { get; init; }

    public bool? UseSelfSignedCertificate { get; init; }
}

public sealed record RotationConnectionRef(string App, string Name, Guid Id);

public sealed record RotationEnvironmentRef(string Slug, string Name, Guid Id);

public sealed record RotationFolderRef(Guid Id, string Path);

/// <summary>
/// A rotation with seed 002's fields (names match its JSON in camelCase) and ours: strategy, timings, whether a run
/// holds it now, and the run that is under way or waiting. <see cref="LastRotationMessage"/> is decrypted and scrubbed.
/// </summary>
public sealed record RotationView(
    Guid Id,
    string Name,
    string? Description,
    string Type,
    RotationStrategy Strategy,
    RotationParameters Parameters,
    SecretsMapping SecretsMapping,
    bool IsAutoRotationEnabled,
    int ActiveIndex,
    Guid FolderId,
    Guid ConnectionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int RotationInterval,
    string? RotationStatus,
    DateTimeOffset? LastRotationAttemptedAt,
    DateTimeOffset? LastRotatedAt,
    Guid? LastRotationJobId,
    DateTimeOffset? NextRotationAt,
    RotationConnectionRef Connection,
    RotationEnvironmentRef Environment,
    Guid ProjectId,
    RotationFolderRef Folder,
    RotateAtUtc RotateAtUtc,
    string? LastRotationMessage,
    bool IsLastRotationManual,
    TimeSpan StagedLeadTime,
    TimeSpan RetireGracePeriod,
    bool UseSelfSignedCertificate,
    string? ApplicationName,
    long RowVersion,
    bool IsRotating,
    RunView? ActiveRun,
    bool NeedsAttention = false,
    RotationPause? Pause = null);

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
