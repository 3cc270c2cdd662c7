using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>
/// The engine's persistence over EF Core and SQLite. The lease is one conditional UPDATE
/// (<c>… WHERE id = @id AND (lease_expires_at IS NULL OR lease_expires_at &lt; @now OR lease_holder = @me)</c>),
/// atomic under SQLite's write lock; rows affected says who won. Run saves run in a transaction that first checks
/// the lease with a write, so a holder that lost its lease cannot write.
/// </summary>
public sealed class EfRunStore(IDbContextFactory<RotationDashboardDbContext> contextFactory, TimeProvider timeProvider) : IRunStore
{
    private const int ConcurrencyRetries = 5;

    public async Task<bool> TryAcquireLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var expires = now + duration;
        var claimed = await db.Rotations
            .Where(r => r.Id == rotationId && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now || r.LeaseHolder == holder))
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.LeaseHolder, holder)
                .SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken);
        return claimed == 1;
    }

    public async Task<bool> RenewLeaseAsync(Guid rotationId, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await RenewAsync(db, rotationId, holder, timeProvider.GetUtcNow() + duration, cancellationToken);
    }

    public async Task ReleaseLeaseAsync(Guid rotationId, string holder, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.Rotations
            .Where(r => r.Id == rotationId && r.LeaseHolder == holder)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.LeaseHolder, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
    }

    public async Task<RotationLease?> GetLeaseAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Rotations.AsNoTracking()
            .Where(r => r.Id == rotationId)
            .Select(r => new RotationLease(r.LeaseHolder, r.LeaseExpiresAt))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<Rotation?> FindRotationAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == rotationId, cancellationToken);
    }

    public async Task<RotationRun?> FindUnfinishedRunAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.RotationRuns.AsNoTracking()
            .Include(r => r.Steps)
            .SingleOrDefaultAsync(r => r.RotationId == rotationId && r.Status == RunStatus.Running, cancellationToken);
    }

    public async Task<IReadOnlyList<RotationRun>> FindRunsWithPendingCredentialAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.RotationRuns.AsNoTracking()
            .Where(r => r.RotationId == rotationId && r.EncryptedPendingCredential != null)
            .ToListAsync(cancellationToken);
    }

    public async Task<RotationRun?> FindFirstRunAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.RotationRuns.AsNoTracking()
            .Where(r => r.RotationId == rotationId)
            .OrderBy(r => r.StartedAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task AddRunAsync(RotationRun run, string leaseHolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await EnsureLeaseAsync(db, run.RotationId, leaseHolder, cancellationToken);
        db.RotationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<Rotation?> SaveRunAsync(
        RotationRun run,
        string leaseHolder,
        Action<Rotation>? rotationChange = null,
        IReadOnlyList<AuditEvent>? auditEvents = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await EnsureLeaseAsync(db, run.RotationId, leaseHolder, cancellationToken);

            // The run object lives across saves; attach it as modified (its steps were all inserted with it).
            db.RotationRuns.Update(run);
            Rotation? rotation = null;
            if (rotationChange is not null)
            {
                rotation = await db.Rotations.SingleAsync(r => r.Id == run.RotationId, cancellationToken);
                rotationChange(rotation);
            }

            if (auditEvents is not null)
            {
                db.AuditEvents.AddRange(auditEvents);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return rotation;
            }
            catch (DbUpdateConcurrencyException) when (attempt < ConcurrencyRetries)
            {
                // An admin edited the rotation meanwhile: apply the change again to the fresh row.
            }
        }
    }

    private static async Task EnsureLeaseAsync(RotationDashboardDbContext db, Guid rotationId, string holder, CancellationToken cancellationToken)
    {
        // A write first, so the transaction holds SQLite's write lock from here on; it matches only for the current
        // holder (an expired lease nobody took is still ours).
        var held = await db.Rotations
            .Where(r => r.Id == rotationId && r.LeaseHolder == holder)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseHolder, holder), cancellationToken);
        if (held != 1)
        {
            throw new LeaseLostException(rotationId);
        }
    }

    private static async Task<bool> RenewAsync(RotationDashboardDbContext db, Guid rotationId, string holder, DateTimeOffset expires, CancellationToken cancellationToken) =>
        await db.Rotations
            .Where(r => r.Id == rotationId && r.LeaseHolder == holder)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken) == 1;
}
