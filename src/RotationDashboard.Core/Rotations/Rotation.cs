using System.Text.Json;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;

namespace RotationDashboard.Core.Rotations;

/// <summary>
/// A rotation: seed 002's object (same fields as the API) plus our strategy, staged timings and a lease that
/// keeps runs one at a time. Generated credentials (up to two slots) and the last message are encrypted.
/// Over 400 lines on purpose: the aggregate's state and every rule that changes it (create, update, run outcomes,
/// pause, credential slots) stay together, so its invariants are kept in one place.
/// </summary>
public sealed class Rotation
{
    public const int MaxSlots = 2;
    public const int MaxLeaseHolderLength = 128;

    private static readonly JsonSerializerOptions CredentialJson = new(JsonSerializerDefaults.Web);

    private readonly List<RotationChangeKind> _recordedChanges = [];

    private Rotation()
    {
        Name = string.Empty;
        Parameters = new RotationParameters(string.Empty);
        SecretsMapping = new SecretsMapping(string.Empty);
        RotateAtUtc = RotateAtUtc.Midnight;
    }

    public Guid Id { get; private set; }

    /// <summary>
    /// What <see cref="Create"/>, <see cref="Update"/> and <see cref="RecordDeletion"/> changed, not yet dispatched: the
    /// persistence layer hands these to the scheduler, the engine and the live UI once the save has committed.
    /// </summary>
    public IReadOnlyList<RotationChangeKind> RecordedChanges => _recordedChanges;

    public void ClearRecordedChanges() => _recordedChanges.Clear();

    /// <summary>Records that the rotation is being deleted; the caller removes it in the same save.</summary>
    public void RecordDeletion() => _recordedChanges.Add(RotationChangeKind.Deleted);

    public string Name { get; private set; }

    public string? Description { get; private set; }

    public RotationType Type { get; private set; }

    public RotationStrategy Strategy { get; private set; }

    public Guid ConnectionId { get; private set; }

    public Guid ProjectId { get; private set; }

    public Guid EnvironmentId { get; private set; }

    public Guid FolderId { get; private set; }

    public RotationParameters Parameters { get; private set; }

    public SecretsMapping SecretsMapping { get; private set; }

    public bool IsAutoRotationEnabled { get; private set; }

    /// <summary>Days between rotations (1-365).</summary>
    public int RotationInterval { get; private set; }

    public RotateAtUtc RotateAtUtc { get; private set; }

    /// <summary>The generated-credential slot (0 or 1) currently mapped to the secrets.</summary>
    public int ActiveIndex { get; private set; }

    /// <summary>Null until the first run finishes.</summary>
    public RotationStatus? RotationStatus { get; private set; }

    public DateTimeOffset? LastRotationAttemptedAt { get; private set; }

    public DateTimeOffset? LastRotatedAt { get; private set; }

    /// <summary>The id of the last run (<see cref="RotationRun.Id"/>).</summary>
    public Guid? LastRotationJobId { get; private set; }

    /// <summary>Null when auto-rotation is off (or before the first rotation).</summary>
    public DateTimeOffset? NextRotationAt { get; private set; }

    public byte[]? EncryptedLastRotationMessage { get; private set; }

    /// <summary>Creation counts as manual, as in Infisical.</summary>
    public bool IsLastRotationManual { get; private set; }

    /// <summary>JSON array of one or two <see cref="GeneratedCredential"/>s, encrypted as one blob.</summary>
    public byte[]? EncryptedGeneratedCredentials { get; private set; }

    public TimeSpan StagedLeadTime { get; private set; }

    public TimeSpan RetireGracePeriod { get; private set; }

    /// <summary>Private Key JWT: each new key goes to Auth0 as a self-signed certificate that expires (see <see cref="RotationRules.CertificateValidity"/>).</summary>
    public bool UseSelfSignedCertificate { get; private set; }

    /// <summary>The application's name in Auth0 as last seen (at create, on a client id change, at every Apply); display only.</summary>
    public string? ApplicationName { get; private set; }

    /// <summary>
    /// The last run failed and could not put Auth0 and the store back as they were (its message says what it did
    /// instead): a person should look. Cleared by the next successful run.
    /// </summary>
    public bool NeedsAttention { get; private set; }

    /// <summary>Failed runs since the last success (manual runs included); reset by a success or by turning auto-rotation on.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>
    /// When auto-rotation was switched off because <see cref="ConsecutiveFailures"/> reached the engine's limit; null
    /// when not paused. Turning auto-rotation on or a successful run resumes.
    /// </summary>
    public DateTimeOffset? PausedAt { get; private set; }

    public bool IsPaused => PausedAt is not null;

    public string? LeaseHolder { get; private set; }

    public DateTimeOffset? LeaseExpiresAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic-concurrency token, incremented by the persistence layer on every save.</summary>
    public long RowVersion { get; private set; }

    /// <summary>The slot the next rotation writes to.</summary>
    public int InactiveIndex => (ActiveIndex + 1) % MaxSlots;

    public ScheduleState ScheduleState =>
        new(IsAutoRotationEnabled, RotationStatus, LastRotatedAt, RotationInterval, RotateAtUtc, IsLastRotationManual);

    /// <exception cref="DomainValidationException">A setting is invalid (see <see cref="RotationRules"/>).</exception>
    public static Rotation Create(RotationSettings settings, DateTimeOffset now)
    {
        RotationRules.Validate(settings).ThrowIfAny();
        var utcNow = now.ToUniversalTime();
        var rotation = new Rotation
        {
            Id = Guid.NewGuid(),
            Type = settings.Type,
            ConnectionId = settings.ConnectionId,
            ProjectId = settings.ProjectId,
            EnvironmentId = settings.EnvironmentId,
            FolderId = settings.FolderId,
            IsLastRotationManual = true,
            CreatedAt = utcNow,
            UpdatedAt = utcNow,
        };
        rotation.Apply(settings);
        rotation._recordedChanges.Add(RotationChangeKind.Created);
        return rotation;
    }

    /// <summary>Validates the merged result of <paramref name="changes"/> without applying anything.</summary>
    public ValidationErrors ValidateChanges(RotationChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return RotationRules.Validate(Merge(changes));
    }

    /// <summary>Applies a partial update and recomputes <see cref="NextRotationAt"/>.</summary>
    /// <exception cref="DomainValidationException">The merged settings are invalid; nothing changes.</exception>
    public void Update(RotationChanges changes, NextRotationCalculator calculator, DateTimeOffset now)
    {
        var merged = Merge(changes);
        RotationRules.Validate(merged).ThrowIfAny();
        var turnsAutoRotationOn = merged.IsAutoRotationEnabled && !IsAutoRotationEnabled;

        Apply(merged);
        if (turnsAutoRotationOn)
        {
            Resume();
        }

        RecalculateNextRotation(calculator, now);
        Touch(now);
        _recordedChanges.Add(RotationChangeKind.Updated);
    }

    /// <summary>Remembers the application's name as Auth0 reported it (null keeps the last one known).</summary>
    public void RecordApplicationName(string? name)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            var trimmed = name.Trim();
            ApplicationName = trimmed.Length > RotationRules.MaxApplicationNameLength ? trimmed[..RotationRules.MaxApplicationNameLength] : trimmed;
        }
    }

    /// <summary>Turning auto-rotation off clears <see cref="NextRotationAt"/> (nothing stays queued).</summary>
    public void SetAutoRotation(bool enabled, NextRotationCalculator calculator, DateTimeOffset now)
    {
        if (enabled && !IsAutoRotationEnabled)
        {
            Resume();
        }

        IsAutoRotationEnabled = enabled;
        RecalculateNextRotation(calculator, now);
        Touch(now);
    }

    public void RecalculateNextRotation(NextRotationCalculator calculator, DateTimeOffset now) =>
        NextRotationAt = calculator.Calculate(ScheduleState, now);

    /// <summary>A run finished and the new credential is live.</summary>
    public void RecordSuccess(Guid runId, bool isManual, NextRotationCalculator calculator, DateTimeOffset now)
    {
        var utcNow = now.ToUniversalTime();
        RotationStatus = Rotations.RotationStatus.Success;
        LastRotationAttemptedAt = utcNow;
        LastRotatedAt = utcNow;
        LastRotationJobId = runId;
        IsLastRotationManual = isManual;
        EncryptedLastRotationMessage = null;
        NeedsAttention = false;
        ConsecutiveFailures = 0;
        if (IsPaused)
        {
            // A run that works again (in practice a manual "Rotate now") ends the pause: the schedule carries on.
            IsAutoRotationEnabled = true;
            PausedAt = null;
        }

        RecalculateNextRotation(calculator, utcNow);
        Touch(utcNow);
    }

    /// <summary>
    /// The run's new credential is live (<see cref="RecordSuccess"/> already ran at promotion) but its clean-up failed:
    /// the status stays success and <paramref name="scrubbedMessage"/> says what is pending, until the next success clears it.
    /// </summary>
    public void RecordCleanupPending(Guid runId, string scrubbedMessage, ISecretProtector protector, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(scrubbedMessage);
        var utcNow = now.ToUniversalTime();
        RotationStatus = Rotations.RotationStatus.Success;
        LastRotationJobId = runId;
        StoreLastRotationMessage(scrubbedMessage, protector);
        Touch(utcNow);
    }

    /// <summary>
    /// A run gave up. <paramref name="scrubbedMessage"/> (already free of secrets) is truncated to
    /// <see cref="RotationRules.MaxMessageLength"/> characters and encrypted; the slots are unchanged.
    /// With <paramref name="needsAttention"/> the run could not clean up after itself and a person should look.
    /// When this failure is the <paramref name="pauseAfterConsecutiveFailures"/>th in a row (0 = never) and auto-rotation
    /// is on, auto-rotation is paused: it is switched off, <see cref="PausedAt"/> is set and the message says so.
    /// </summary>
    /// <returns>True when this failure paused the rotation.</returns>
    public bool RecordFailure(
        Guid runId,
        string scrubbedMessage,
        bool isManual,
        ISecretProtector protector,
        NextRotationCalculator calculator,
        DateTimeOffset now,
        bool needsAttention = false,
        int pauseAfterConsecutiveFailures = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pauseAfterConsecutiveFailures);
        var utcNow = now.ToUniversalTime();
        RotationStatus = Rotations.RotationStatus.Failed;
        NeedsAttention = needsAttention;
        LastRotationAttemptedAt = utcNow;
        LastRotationJobId = runId;
        IsLastRotationManual = isManual;
        // Manual runs count too: they run the same steps against the same application and secret store, so their
        // failures predict the scheduled run's; retrying by hand must not hide a rotation that keeps failing.
        ConsecutiveFailures++;
        var message = string.IsNullOrEmpty(scrubbedMessage) ? "The rotation failed." : scrubbedMessage;
        var pauses = pauseAfterConsecutiveFailures > 0 && ConsecutiveFailures >= pauseAfterConsecutiveFailures
            && IsAutoRotationEnabled && !IsPaused;
        if (pauses)
        {
            // Retrying a rotation that keeps failing only adds noise and Auth0 calls: stop until a person looks.
            IsAutoRotationEnabled = false;
            PausedAt = utcNow;
            message = $"{PausedMessage(ConsecutiveFailures)} {message}";
        }

        StoreLastRotationMessage(message, protector);
        RecalculateNextRotation(calculator, utcNow);
        Touch(utcNow);
        return pauses;
    }

    /// <summary>The prefix of the last message of a rotation paused after <paramref name="failures"/> failed runs.</summary>
    public static string PausedMessage(int failures) =>
        $"Auto-rotation paused after {failures} failed runs in a row; turn auto-rotation on to resume. Last failure:";

    private void Resume()
    {
        PausedAt = null;
        ConsecutiveFailures = 0;
    }

    private void StoreLastRotationMessage(string scrubbedMessage, ISecretProtector protector)
    {
        var message = scrubbedMessage.Length > RotationRules.MaxMessageLength ? scrubbedMessage[..RotationRules.MaxMessageLength] : scrubbedMessage;
        EncryptedLastRotationMessage = protector.ProtectString(message, ProtectionPurposes.RotationLastMessage(Id));
    }

    public string? ReadLastRotationMessage(ISecretProtector protector) =>
        EncryptedLastRotationMessage is { } blob
            ? protector.UnprotectString(blob, ProtectionPurposes.RotationLastMessage(Id))
            : null;

    /// <summary>Stores the credential slots (one or two) and which slot is active.</summary>
    public void StoreGeneratedCredentials(IReadOnlyList<GeneratedCredential> slots, int activeIndex, ISecretProtector protector, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (slots.Count is < 1 or > MaxSlots)
        {
            throw new ArgumentException($"A rotation keeps one or two credential slots; got {slots.Count}.", nameof(slots));
        }

        if (activeIndex < 0 || activeIndex >= slots.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(activeIndex), activeIndex, "The active index must point at a stored slot.");
        }

        var json = JsonSerializer.Serialize(slots, CredentialJson);
        EncryptedGeneratedCredentials = protector.ProtectString(json, ProtectionPurposes.RotationGeneratedCredentials(Id));
        ActiveIndex = activeIndex;
        Touch(now);
    }

    /// <summary>The decrypted slots (empty before the first rotation).</summary>
    public IReadOnlyList<GeneratedCredential> ReadGeneratedCredentials(ISecretProtector protector)
    {
        if (EncryptedGeneratedCredentials is not { } blob)
        {
            return [];
        }

        var json = protector.UnprotectString(blob, ProtectionPurposes.RotationGeneratedCredentials(Id));
        return JsonSerializer.Deserialize<List<GeneratedCredential>>(json, CredentialJson) ?? [];
    }

    /// <summary>Claims the lease when it is free or expired (in memory; the store claims it atomically in SQL).</summary>
    public bool TryAcquireLease(string holder, TimeSpan duration, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        if (IsLeased(now) && !string.Equals(LeaseHolder, holder, StringComparison.Ordinal))
        {
            return false;
        }

        LeaseHolder = holder.Length > MaxLeaseHolderLength ? holder[..MaxLeaseHolderLength] : holder;
        LeaseExpiresAt = now.ToUniversalTime().Add(duration);
        return true;
    }

    public void ReleaseLease(string holder)
    {
        if (string.Equals(LeaseHolder, holder, StringComparison.Ordinal))
        {
            LeaseHolder = null;
            LeaseExpiresAt = null;
        }
    }

    public bool IsLeased(DateTimeOffset now) => LeaseHolder is not null && LeaseExpiresAt > now;

    public override string ToString() => $"Rotation {Name} ({Type.ToSlug()}, {Strategy})";

    /// <summary>The rotation's settings as they are now (every default resolved): what views and editors start from.</summary>
    public RotationSettings Settings() => new()
    {
        Name = Name,
        Description = Description,
        Type = Type,
        Strategy = Strategy,
        ConnectionId = ConnectionId,
        ProjectId = ProjectId,
        EnvironmentId = EnvironmentId,
        FolderId = FolderId,
        Parameters = Parameters,
        SecretsMapping = SecretsMapping,
        IsAutoRotationEnabled = IsAutoRotationEnabled,
        RotationInterval = RotationInterval,
        RotateAtUtc = RotateAtUtc,
        StagedLeadTime = StagedLeadTime,
        RetireGracePeriod = RetireGracePeriod,
        UseSelfSignedCertificate = UseSelfSignedCertificate,
    };

    private RotationSettings Merge(RotationChanges changes) => changes.ApplyTo(Settings());

    // The settings an edit may change (type, connection and location stay as created); validated by the caller.
    private void Apply(RotationSettings settings)
    {
        Name = settings.Name.Trim();
        Description = NormalizeDescription(settings.Description);
        Strategy = settings.Strategy ?? RotationSlugs.DefaultStrategyFor(Type);
        Parameters = new RotationParameters(settings.Parameters.ClientId.Trim());
        SecretsMapping = NormalizeMapping(settings.SecretsMapping);
        IsAutoRotationEnabled = settings.IsAutoRotationEnabled;
        RotationInterval = settings.RotationInterval;
        RotateAtUtc = settings.RotateAtUtc;
        StagedLeadTime = settings.StagedLeadTime ?? RotationRules.DefaultStagedLeadTime;
        RetireGracePeriod = settings.RetireGracePeriod ?? RotationRules.DefaultRetireGracePeriod;
        UseSelfSignedCertificate = settings.UseSelfSignedCertificate;
    }

    private static string? NormalizeDescription(string? description) =>
        string.IsNullOrWhiteSpace(description) ? null : description.Trim();

    private static SecretsMapping NormalizeMapping(SecretsMapping mapping) =>
        new(mapping.ClientId.Trim(), mapping.ClientSecret?.Trim(), mapping.PrivateKey?.Trim(), mapping.KeyId?.Trim(),
            mapping.ClientSecretNext?.Trim(), mapping.PrivateKeyNext?.Trim(), mapping.KeyIdNext?.Trim());

    private void Touch(DateTimeOffset now) => UpdatedAt = now.ToUniversalTime();
}
