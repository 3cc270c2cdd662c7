using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Services;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>
/// The read side of rotations for the UI and the API: one rotation (by id or by name), the list, the dashboard's
/// filtered page and counts, runs, and the credential slots without their values. Nothing here is audited or
/// permission-checked: it returns nothing secret (<see cref="RevealCredentials"/> does, and checks).
/// </summary>
public sealed class RotationQueries(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    TimeProvider timeProvider) : IRotationDetailReads, Dashboard.IRotationListReads
{
    public async Task<RotationView?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await ToViewsAsync(db, Rows(db).Where(r => r.Rotation.Id == id), cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>Seed 002's <c>GET /rotation-name/{name}?projectId&amp;environment&amp;secretPath</c>.</summary>
    public async Task<RotationView?> GetByNameAsync(Guid projectId, string environmentSlug, string secretPath, string name, CancellationToken cancellationToken = default)
    {
        if (!FolderPath.TryNormalize(secretPath, out var path, out _) || string.IsNullOrWhiteSpace(environmentSlug) || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var slug = environmentSlug.Trim();
        var trimmed = name.Trim();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await ToViewsAsync(db,
            Rows(db).Where(r => r.Rotation.ProjectId == projectId && r.EnvironmentSlug == slug && r.FolderPath == path && r.Rotation.Name == trimmed),
            cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>Every rotation (of a project), by name: seed 002's list. The dashboard uses <see cref="QueryAsync"/>.</summary>
    public async Task<IReadOnlyList<RotationView>> ListAsync(Guid? projectId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = Rows(db);
        if (projectId is { } project)
        {
            rows = rows.Where(r => r.Rotation.ProjectId == project);
        }

        return await ToViewsAsync(db, rows.OrderBy(r => r.Rotation.Name).ThenBy(r => r.Rotation.Id), cancellationToken);
    }

    /// <summary>The dashboard list: filtered, sorted and paged in SQL (fast at 10,000 rotations).</summary>
    public async Task<PagedResult<RotationListItem>> QueryAsync(RotationDashboardQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = timeProvider.GetUtcNow();
        var soon = now.AddDays(7);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = Rows(db);
        if (query.ProjectId is { } projectId)
        {
            rows = rows.Where(r => r.Rotation.ProjectId == projectId);
        }

        if (query.EnvironmentId is { } environmentId)
        {
            rows = rows.Where(r => r.Rotation.EnvironmentId == environmentId);
        }

        if (query.ConnectionId is { } connectionId)
        {
            rows = rows.Where(r => r.Rotation.ConnectionId == connectionId);
        }

        if (query.Strategy is { } strategy)
        {
            rows = rows.Where(r => r.Rotation.Strategy == strategy);
        }

        rows = query.Filter switch
        {
            RotationListFilter.Failed => rows.Where(r => r.Rotation.RotationStatus == RotationStatus.Failed),
            RotationListFilter.DueSoon => rows.Where(r => r.Rotation.IsAutoRotationEnabled && r.Rotation.NextRotationAt != null && r.Rotation.NextRotationAt <= soon),
            RotationListFilter.AutoRotationOff => rows.Where(r => !r.Rotation.IsAutoRotationEnabled),
            RotationListFilter.Rotating => rows.Where(r => r.Rotation.LeaseExpiresAt != null && r.Rotation.LeaseExpiresAt > now),
            RotationListFilter.SinglePhaseAutoRotation => rows.Where(r => r.Rotation.Strategy == RotationStrategy.SinglePhase && r.Rotation.IsAutoRotationEnabled),
            _ => rows,
        };

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Case-insensitive on both providers (SQLite's LIKE ignores ASCII case, PostgreSQL's does not): lower() both sides.
            var pattern = "%" + query.Search.Trim().ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            rows = rows.Where(r =>
                EF.Functions.Like(r.Rotation.Name.ToLower(), pattern, "\\")
                || EF.Functions.Like(r.Rotation.Description!.ToLower(), pattern, "\\")
                || EF.Functions.Like(r.Rotation.Parameters.ClientId.ToLower(), pattern, "\\")
                || EF.Functions.Like(r.Rotation.ApplicationName!.ToLower(), pattern, "\\")
                || EF.Functions.Like(r.ConnectionName.ToLower(), pattern, "\\"));
        }

        var total = await rows.CountAsync(cancellationToken);
        var ordered = (query.SortBy, query.Descending) switch
        {
            (RotationSortField.NextRotationAt, false) => rows.OrderBy(r => r.Rotation.NextRotationAt),
            (RotationSortField.NextRotationAt, true) => rows.OrderByDescending(r => r.Rotation.NextRotationAt),
            (RotationSortField.LastRotatedAt, false) => rows.OrderBy(r => r.Rotation.LastRotatedAt),
            (RotationSortField.LastRotatedAt, true) => rows.OrderByDescending(r => r.Rotation.LastRotatedAt),
            (RotationSortField.Status, false) => rows.OrderBy(r => r.Rotation.RotationStatus),
            (RotationSortField.Status, true) => rows.OrderByDescending(r => r.Rotation.RotationStatus),
            (RotationSortField.Strategy, false) => rows.OrderBy(r => r.Rotation.Strategy),
            (RotationSortField.Strategy, true) => rows.OrderByDescending(r => r.Rotation.Strategy),
            (_, true) => rows.OrderByDescending(r => r.Rotation.Name),
            _ => rows.OrderBy(r => r.Rotation.Name),
        };
        var page = await ordered.ThenBy(r => r.Rotation.Id)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, RotationDashboardQuery.MaxTake))
            .ToListAsync(cancellationToken);
        var items = page.Select(row => new RotationListItem(
            row.Rotation.Id,
            row.Rotation.Name,
            row.Rotation.Description,
            row.Rotation.Type.ToSlug(),
            row.Rotation.Strategy,
            row.Rotation.ConnectionId,
            row.ConnectionName,
            row.Rotation.ProjectId,
            row.Rotation.EnvironmentId,
            row.EnvironmentSlug,
            row.EnvironmentName,
            row.Rotation.FolderId,
            row.FolderPath,
            row.Rotation.Parameters.ClientId,
            row.Rotation.ApplicationName,
            row.Rotation.SecretsMapping,
            row.Rotation.RotationStatus?.ToSlug(),
            row.Rotation.IsAutoRotationEnabled,
            row.Rotation.RotationInterval,
            row.Rotation.RotateAtUtc,
            row.Rotation.NextRotationAt,
            row.Rotation.LastRotatedAt,
            row.Rotation.LastRotationAttemptedAt,
            ReadMessage(row.Rotation),
            row.Rotation.IsLeased(now),
            row.Rotation.RowVersion,
            row.Rotation.NeedsAttention,
            RotationPause.Of(row.Rotation))).ToList();
        return new PagedResult<RotationListItem>(items, total);
    }

    /// <summary>The dashboard's headline counts, in one SQL query.</summary>
    public async Task<RotationSummary> GetSummaryAsync(Guid? projectId = null, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var soon = now.AddDays(7);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotations = db.Rotations.AsNoTracking();
        if (projectId is { } project)
        {
            rotations = rotations.Where(r => r.ProjectId == project);
        }

        var counts = await rotations
            .GroupBy(_ => 1)
            .Select(g => new RotationSummary(
                g.Count(),
                g.Count(r => r.RotationStatus == RotationStatus.Failed),
                g.Count(r => r.IsAutoRotationEnabled && r.NextRotationAt != null && r.NextRotationAt <= soon),
                g.Count(r => !r.IsAutoRotationEnabled),
                g.Count(r => r.Strategy == RotationStrategy.SinglePhase && r.IsAutoRotationEnabled),
                g.Count(r => r.LeaseExpiresAt != null && r.LeaseExpiresAt > now)))
            .SingleOrDefaultAsync(cancellationToken);
        return counts ?? new RotationSummary(0, 0, 0, 0, 0, 0);
    }

    /// <summary>A rotation's runs, newest first, with their steps.</summary>
    public async Task<PagedResult<RunView>> GetRunsAsync(Guid rotationId, int skip = 0, int take = 20, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == rotationId, cancellationToken);
        if (rotation is null)
        {
            return new PagedResult<RunView>([], 0);
        }

        var runs = db.RotationRuns.AsNoTracking().Where(r => r.RotationId == rotationId);
        var total = await runs.CountAsync(cancellationToken);
        var page = await runs.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200))
            .Include(r => r.Steps)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return new PagedResult<RunView>(page.Select(r => ToRunView(r, rotation)).ToList(), total);
    }

    public async Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.RotationRuns.AsNoTracking().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var rotation = await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == run.RotationId, cancellationToken);
        return ToRunView(run, rotation);
    }

    /// <summary>
    /// The generated credentials without their values, for everyone who may see the rotation: which slots exist
    /// (CURRENT, PREVIOUS, NEXT during a run), key ids, creation times and whether Auth0 still accepts each. Not audited:
    /// nothing secret leaves the service.
    /// </summary>
    public async Task<GeneratedCredentialsView?> GetCredentialSlotsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rotation is null)
        {
            return null;
        }

        var view = await BuildCredentialsViewAsync(db, rotation, cancellationToken);
        static GeneratedCredentialSlot Masked(GeneratedCredentialSlot slot) => slot with { ClientSecret = null, PrivateKeyPem = null };
        return view with { GeneratedCredentials = view.GeneratedCredentials.Select(Masked).ToList(), Next = view.Next is { } next ? Masked(next) : null };
    }

    /// <summary>The generated credentials with their values, for <see cref="RevealCredentials"/> (which checks and audits).</summary>
    internal async Task<(GeneratedCredentialsView View, string RotationName)?> ReadCredentialsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return rotation is null ? null : (await BuildCredentialsViewAsync(db, rotation, cancellationToken), rotation.Name);
    }

    private async Task<GeneratedCredentialsView> BuildCredentialsViewAsync(RotationDashboardDbContext db, Rotation rotation, CancellationToken cancellationToken)
    {
        var slots = rotation.ReadGeneratedCredentials(protector);
        var isSecret = StrategyPlan.RotatesClientSecret(rotation.Strategy);
        var views = slots.Select((slot, index) =>
        {
            var current = index == rotation.ActiveIndex;
            var validity = (current, slot.IsValid, isSecret) switch
            {
                (true, _, _) => "Valid: mapped to the secrets and in use in Auth0.",
                (false, true, _) => "Still valid in Auth0 until the grace period ends and it is retired.",
                (false, false, true) => "No longer valid: Auth0 keeps one client secret per application, so this one stopped working when it was replaced.",
                _ => "No longer valid: retired in Auth0.",
            };
            return ToSlot(index, current ? CredentialStage.Current : CredentialStage.Previous, slot, current || slot.IsValid, validity);
        }).ToList();

        GeneratedCredentialSlot? next = null;
        var run = await db.RotationRuns.AsNoTracking().Include(r => r.Steps)
            .SingleOrDefaultAsync(r => r.RotationId == rotation.Id && r.Status == RunStatus.Running, cancellationToken);
        if (run?.ReadPendingCredential(protector) is { } pending && run.Step(RunStepName.Promote).Status != RunStepStatus.Succeeded)
        {
            var verified = run.Step(RunStepName.Verify).Status == RunStepStatus.Succeeded;
            next = ToSlot(null, CredentialStage.Next, pending, verified,
                verified ? "Verified in Auth0; about to be promoted." : "Generated by the run under way; not verified in Auth0 yet.");
        }

        return new GeneratedCredentialsView(rotation.Id, rotation.Type.ToSlug(), rotation.ActiveIndex, views, next);
    }

    // Member-init (not a constructor) so EF can translate filters and sorts composed on top of the projection.
    private sealed class RotationRow
    {
        public required Rotation Rotation { get; init; }

        public required string ConnectionName { get; init; }

        public required string EnvironmentSlug { get; init; }

        public required string EnvironmentName { get; init; }

        public required string FolderPath { get; init; }
    }

    private static IQueryable<RotationRow> Rows(RotationDashboardDbContext db) =>
        from r in db.Rotations.AsNoTracking()
        join c in db.Connections on r.ConnectionId equals c.Id
        join e in db.Environments on r.EnvironmentId equals e.Id
        join f in db.Folders on r.FolderId equals f.Id
        select new RotationRow { Rotation = r, ConnectionName = c.Name, EnvironmentSlug = e.Slug, EnvironmentName = e.Name, FolderPath = f.Path };

    private async Task<IReadOnlyList<RotationView>> ToViewsAsync(RotationDashboardDbContext db, IQueryable<RotationRow> query, CancellationToken cancellationToken)
    {
        var rows = await query.ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.Rotation.Id).ToList();
        var running = await db.RotationRuns.AsNoTracking().Include(r => r.Steps)
            .Where(r => r.Status == RunStatus.Running && ids.Contains(r.RotationId))
            .ToListAsync(cancellationToken);
        var runs = running.ToDictionary(r => r.RotationId);
        var now = timeProvider.GetUtcNow();
        return rows.Select(row =>
        {
            var r = row.Rotation;
            return new RotationView(
                r.Id, r.Settings(), r.ActiveIndex, r.CreatedAt, r.UpdatedAt, r.RotationStatus?.ToSlug(), r.LastRotationAttemptedAt,
                r.LastRotatedAt, r.LastRotationJobId, r.NextRotationAt,
                new RotationConnectionRef("auth0", row.ConnectionName, r.ConnectionId),
                new RotationEnvironmentRef(row.EnvironmentSlug, row.EnvironmentName, r.EnvironmentId),
                new RotationFolderRef(r.FolderId, row.FolderPath),
                ReadMessage(r), r.IsLastRotationManual, r.ApplicationName, r.RowVersion,
                r.IsLeased(now),
                runs.TryGetValue(r.Id, out var run) ? ToRunView(run, r) : null,
                r.NeedsAttention,
                RotationPause.Of(r));
        }).ToList();
    }

    private string? ReadMessage(Rotation rotation)
    {
        try
        {
            return rotation.ReadLastRotationMessage(protector);
        }
        catch (SecretDecryptionException)
        {
            return "(The message cannot be decrypted with the configured root key.)";
        }
    }

    private static RunView ToRunView(RotationRun run, Rotation? rotation) => new(
        run.Id,
        run.RotationId,
        run.Trigger,
        $"{run.ActorType.ToString().ToLowerInvariant()}:{run.ActorName}",
        run.Strategy,
        run.StartedAt,
        run.FinishedAt,
        run.Status,
        run.Attempt,
        run.Message,
        rotation is null ? null : RotationRunner.RetireDueAt(run, rotation),
        run.Steps.OrderBy(s => s.Order).Select(s => new RunStepView(s.Order, s.Name, s.Status, s.StartedAt, s.FinishedAt, s.Message)).ToList());

    private static GeneratedCredentialSlot ToSlot(int? index, CredentialStage stage, GeneratedCredential credential, bool valid, string validity) =>
        new(index, stage, valid, validity, credential.ClientId, credential.ClientSecret, credential.PrivateKeyPem, credential.KeyId,
            credential.CredentialId, credential.CreatedAt, credential.RetiredAt);
}
