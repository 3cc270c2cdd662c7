using RotationDashboard.Core.Audit;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>
/// Persistence the rotation engine needs: rotations, runs and the per-rotation lease that keeps runs one at a
/// time. Lease operations are atomic (one conditional UPDATE in SQL). Saves of a run are fenced by the lease:
/// a holder that lost its lease gets <see cref="LeaseLostException"/> and must stop.
/// </summary>
public interface IRunStore
{
    /// <summary>
    /// Claims the rotation's lease for <paramref name="holder"/> when it is free, expired, or already held by the
    /// same holder. False when another holder has it (or the rotation does not exist).
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when <paramref name="holder"/> no longer holds it.</summary>
    Task<bool> RenewLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Frees the lease if <paramref name="holder"/> holds it.</summary>
    Task ReleaseLeaseAsync(Guid rotationId, string holder, CancellationToken cancellationToken);

    /// <summary>The lease holder and expiry, or null when the rotation does not exist.</summary>
    Task<RotationLease?> GetLeaseAsync(Guid rotationId, CancellationToken cancellationToken);

    /// <summary>A fresh, detached copy of the rotation (null when it does not exist).</summary>
    Task<Rotation?> FindRotationAsync(Guid rotationId, CancellationToken cancellationToken);

    /// <summary>The rotation's run that has not finished yet, with its steps (at most one exists).</summary>
    Task<RotationRun?> FindUnfinishedRunAsync(Guid rotationId, CancellationToken cancellationToken);

    /// <summary>
    /// The rotation's runs that still hold a pending credential (a failed run may keep one), without steps. By default
    /// only the unfinished run, for stores that clear the credential when a run ends.
    /// </summary>
    async Task<IReadOnlyList<RotationRun>> FindRunsWithPendingCredentialAsync(Guid rotationId, CancellationToken cancellationToken) =>
        await FindUnfinishedRunAsync(rotationId, cancellationToken) is { EncryptedPendingCredential: not null } run ? [run] : [];

    /// <summary>The rotation's first run (its first issuance), without steps; null when it has none.</summary>
    Task<RotationRun?> FindFirstRunAsync(Guid rotationId, CancellationToken cancellationToken);

    /// <summary>Inserts a new run (with its steps) under the lease.</summary>
    /// <exception cref="LeaseLostException">The holder no longer holds the lease.</exception>
    Task AddRunAsync(RotationRun run, string leaseHolder, CancellationToken cancellationToken);

    /// <summary>
    /// Saves a run's status, steps, pending credential and checkpoint, and in the same transaction applies
    /// <paramref name="rotationChange"/> to a freshly loaded rotation and adds <paramref name="auditEvents"/>.
    /// Renews the lease as it goes.
    /// </summary>
    /// <returns>The rotation as saved when <paramref name="rotationChange"/> was given, else null.</returns>
    /// <exception cref="LeaseLostException">The holder no longer holds the lease; nothing was saved.</exception>
    Task<Rotation?> SaveRunAsync(
        RotationRun run,
        string leaseHolder,
        Action<Rotation>? rotationChange = null,
        IReadOnlyList<AuditEvent>? auditEvents = null,
        CancellationToken cancellationToken = default);
}

public sealed record RotationLease(string? Holder, DateTimeOffset? ExpiresAt)
{
    public bool IsHeld(DateTimeOffset now) => Holder is not null && ExpiresAt > now;
}

/// <summary>Another holder took the rotation's lease (this one stalled past its expiry): stop without touching anything.</summary>
public sealed class LeaseLostException(Guid rotationId)
    : OperationCanceledException($"The lease on rotation {rotationId} was lost; another run owns it now.")
{
    public Guid RotationId { get; } = rotationId;
}

/// <summary>
/// Where the engine asks for follow-up work: rescheduling a rotation after its state changed, and continuing a run
/// that waits (a Private Key JWT run waits out its grace period in Retire).
/// </summary>
public interface IRotationFollowUpScheduler
{
    /// <summary>The rotation's schedule may have changed (next rotation time, auto-rotation, deletion).</summary>
    Task RescheduleAsync(Guid rotationId, CancellationToken cancellationToken);

    /// <summary>Continue the rotation's unfinished run at <paramref name="at"/>.</summary>
    Task ScheduleResumeAsync(Guid rotationId, DateTimeOffset at, CancellationToken cancellationToken);
}
