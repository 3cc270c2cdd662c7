using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>Edits a rotation (UI editor, detail page toggles and API PATCH).</summary>
public sealed class UpdateRotation(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ApplicationOwnership ownership,
    Auth0ApplicationCheck applicationCheck,
    PermissionGuard guard,
    RotationQueries queries,
    NextRotationCalculator calculator,
    TimeProvider timeProvider) : IUpdateRotation
{
    private const string ConcurrencyMessage = "The rotation was changed by someone else (or by a run) in the meantime. Reload it and try again.";

    /// <summary>
    /// Applies a partial update and recomputes <c>nextRotationAt</c>; turning auto-rotation off clears it and removes
    /// the trigger at once. Renaming a mapped secret renames the secret the rotation owns. The application, mapping
    /// and strategy cannot change while a run is under way (Conflict).
    /// </summary>
    /// <param name="expectedRowVersion">The <see cref="RotationView.RowVersion"/> the editor saw; a newer one is a Conflict.</param>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:write there.</exception>
    public async Task<OperationResult<RotationView>> ExecuteAsync(
        Guid id,
        RotationChanges changes,
        DashboardUser user,
        long? expectedRowVersion = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, rotation is null ? null : RotationLocation.Of(await queries.GetAsync(id, cancellationToken)),
            AuditActions.RotationUpdate, "edit rotations", new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), rotation?.Name), cancellationToken);
        if (rotation is null)
        {
            return OperationResult<RotationView>.NotFound("The rotation does not exist.");
        }

        if (expectedRowVersion is { } expected)
        {
            if (rotation.RowVersion != expected)
            {
                return OperationResult<RotationView>.Conflict(ConcurrencyMessage);
            }

            db.Entry(rotation).Property(r => r.RowVersion).OriginalValue = expected;
        }

        var errors = rotation.ValidateChanges(changes);
        var newName = changes.Name?.Trim();
        var renamedKeys = RenamedMappingKeys(rotation.SecretsMapping, changes.SecretsMapping);
        var folder = await db.Folders.AsNoTracking().SingleAsync(f => f.Id == rotation.FolderId, cancellationToken);
        if (!errors.HasErrors)
        {
            await CheckMappingNames.CheckFolderConflictsAsync(
                db, folder, newName is not null && newName != rotation.Name ? newName : null, renamedKeys.Select(r => r.NewKey).ToList(), rotation.Id, errors, cancellationToken);
        }

        if (errors.HasErrors)
        {
            return OperationResult<RotationView>.Invalid(errors);
        }

        var newClientId = changes.Parameters?.ClientId.Trim();
        var clientChanged = newClientId is not null && newClientId != rotation.Parameters.ClientId;
        var sensitive = clientChanged || renamedKeys.Count > 0 || (changes.Strategy is { } s && s != rotation.Strategy);
        if (sensitive && await IsRunUnderWayAsync(db, rotation, cancellationToken))
        {
            return OperationResult<RotationView>.Conflict("A rotation run is in progress; change the application, mapping or strategy when it has finished.");
        }

        string? newApplicationName = null;
        if (clientChanged)
        {
            errors.Merge(await ownership.CheckAsync(rotation.ConnectionId, newClientId!, rotation.Id, cancellationToken));
            if (errors.HasErrors)
            {
                return OperationResult<RotationView>.Invalid(errors);
            }

            var connection = await db.Connections.AsNoTracking().SingleAsync(c => c.Id == rotation.ConnectionId, cancellationToken);
            var application = await applicationCheck.CheckAsync(connection, rotation.Type, newClientId!, switchToPrivateKeyJwt: false, cancellationToken);
            if (application.Unavailable is { } unavailable)
            {
                return OperationResult<RotationView>.Fail(unavailable);
            }

            errors.Merge(application.Errors);
            if (errors.HasErrors)
            {
                return OperationResult<RotationView>.Invalid(errors);
            }

            newApplicationName = application.Name;
        }

        var before = rotation.Settings().ChangeableValues();
        var now = timeProvider.GetUtcNow();
        rotation.Update(changes, calculator, now);
        rotation.RecordApplicationName(newApplicationName);
        if (renamedKeys.Count > 0)
        {
            var oldKeys = renamedKeys.Select(r => r.OldKey).ToList();
            var owned = await db.Secrets.Where(x => x.FolderId == rotation.FolderId && x.OwnerRotationId == rotation.Id && oldKeys.Contains(x.Key))
                .ToListAsync(cancellationToken);
            var author = SecretAuthor.Rotation(rotation.Id, rotation.Name);
            foreach (var secret in owned)
            {
                var newKey = renamedKeys.Single(r => r.OldKey == secret.Key).NewKey;
                secret.Rename(newKey, author, now);
                db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.SecretUpdate, AuditTarget.Secret(secret.Id, newKey), AuditOutcome.Success,
                    $"Renamed from \"{renamedKeys.Single(r => r.NewKey == newKey).OldKey}\" with rotation \"{rotation.Name}\"'s mapping."));
            }
        }

        var after = rotation.Settings().ChangeableValues();
        var changed = after.Where(kv => !Equals(before.GetValueOrDefault(kv.Key), kv.Value)).Select(kv => kv.Key).ToList();
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.RotationUpdate, AuditTarget.Rotation(rotation.Id, rotation.Name), AuditOutcome.Success,
            changed.Count == 0 ? "No change." : "Changed: " + string.Join(", ", changed) + "."));
        try
        {
            if (clientChanged)
            {
                var owned = await ownership.ClaimAsync(rotation.ConnectionId, newClientId!, rotation.Id, () => db.SaveChangesAsync(cancellationToken), cancellationToken);
                if (owned.HasErrors)
                {
                    return OperationResult<RotationView>.Invalid(owned);
                }
            }
            else
            {
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            return OperationResult<RotationView>.Conflict(ConcurrencyMessage);
        }
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            return OperationResult<RotationView>.Conflict("The new name or a mapped secret name was taken meanwhile. Reload and try again.");
        }

        // The save dispatched the change: the trigger is rescheduled (gone when auto-rotation is off) and a run waiting
        // in its lead time reconsidered before this returns.
        return OperationResult.Success((await queries.GetAsync(rotation.Id, cancellationToken))!);
    }

    private static async Task<bool> IsRunUnderWayAsync(RotationDashboardDbContext db, Rotation rotation, CancellationToken cancellationToken)
    {
        var run = await db.RotationRuns.AsNoTracking().Include(r => r.Steps)
            .SingleOrDefaultAsync(r => r.RotationId == rotation.Id && r.Status == RunStatus.Running, cancellationToken);
        // A run that only waits to retire the previous key has promoted already: it is not in the way.
        return run is not null && RotationRunner.RetireDueAt(run, rotation) is null;
    }

    private static List<(string OldKey, string NewKey)> RenamedMappingKeys(SecretsMapping current, SecretsMapping? requested)
    {
        if (requested is null)
        {
            return [];
        }

        var before = current.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return requested.Entries
            .Where(e => before.TryGetValue(e.Key, out var old) && !string.Equals(old, e.Value.Trim(), StringComparison.Ordinal))
            .Select(e => (before[e.Key], e.Value.Trim()))
            .ToList();
    }
}
