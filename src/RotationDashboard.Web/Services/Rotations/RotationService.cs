using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Scheduling;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>
/// Rotations for the UI and the HTTP API (seed 002): create (validated before Auth0 is touched, then the first
/// issuance as a run), update, delete, rotate now, and the queries behind the dashboard. Writes, rotations and
/// reveals need an Admin (checked here, not only in the UI) and are audited without values.
/// </summary>
public sealed partial class RotationService(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    RotationEngine engine,
    IRunStore runStore,
    RotationScheduler scheduler,
    IRotationRunNotifier notifier,
    IAuth0ConnectionResolver connections,
    ApplicationOwnership ownership,
    IAuth0ManagementClientFactory managementClients,
    ICredentialAuthorityFactory authorities,
    ISecretProtector protector,
    NextRotationCalculator calculator,
    IAuditLog audit,
    IOptions<SignInOptions> signIn,
    TimeProvider timeProvider,
    ILogger<RotationService> logger)
{
    /// <summary>Management API scopes a client-secret rotation needs (picker and PATCH of the secret).</summary>
    public static IReadOnlyList<string> ClientSecretScopes { get; } = [Auth0ManagementScopes.ReadClients, Auth0ManagementScopes.UpdateClientKeys];

    /// <summary>Management API scopes a Private Key JWT rotation needs (credentials and attaching them).</summary>
    public static IReadOnlyList<string> PrivateKeyJwtScopes { get; } =
    [
        Auth0ManagementScopes.ReadClientCredentials, Auth0ManagementScopes.CreateClientCredentials,
        Auth0ManagementScopes.UpdateClientCredentials, Auth0ManagementScopes.DeleteClientCredentials, Auth0ManagementScopes.UpdateClients,
    ];

    private static readonly string[] ClientFields = ["client_id", "name", "app_type", "token_endpoint_auth_method", "client_authentication_methods"];

    public static IReadOnlyList<string> RequiredScopes(RotationType type) =>
        type == RotationType.Auth0PrivateKeyJwt ? PrivateKeyJwtScopes : ClientSecretScopes;

    // ---- Create ------------------------------------------------------------------------------------------

    /// <summary>
    /// Validates everything first (fields, name unique in the folder, mapped secret names free, the connection and its
    /// scopes, the application in Auth0: reads only), then creates the rotation and issues its first credential as a
    /// run (trigger Create), waiting for it. The result is the created rotation; when the first run failed, its
    /// <c>RotationStatus</c> is <c>failed</c> with the reason, and Auth0 was put back as it was.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<RotationView>> CreateAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsurePermittedAsync(user, ApiPermissions.RotationsWrite, Location.Of(request), AuditActions.RotationCreate, "create rotations",
            new AuditTarget(AuditTargetTypes.Rotation, null, request.Name), cancellationToken);

        var errors = new ValidationErrors();
        if (!RotationSlugs.TryParseType(request.Type, out var type))
        {
            errors.Add("type", $"Type must be \"{RotationSlugs.Auth0ClientSecret}\" or \"{RotationSlugs.Auth0PrivateKeyJwt}\".");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var (environment, folder) = await ResolveLocationAsync(db, request, errors, cancellationToken);
        var settings = new RotationSettings
        {
            Name = request.Name ?? string.Empty,
            Description = request.Description,
            Type = type,
            Strategy = request.Strategy,
            ConnectionId = request.ConnectionId,
            ProjectId = request.ProjectId,
            // Placeholders keep "required" messages away from fields whose real error is already recorded.
            EnvironmentId = environment?.Id ?? Guid.NewGuid(),
            FolderId = folder?.Id ?? Guid.NewGuid(),
            Parameters = request.Parameters ?? new RotationParameters(string.Empty),
            SecretsMapping = request.SecretsMapping ?? SecretsMapping.DefaultFor(type),
            IsAutoRotationEnabled = request.IsAutoRotationEnabled,
            RotationInterval = request.RotationInterval,
            RotateAtUtc = request.RotateAtUtc ?? RotateAtUtc.Midnight,
            StagedLeadTime = request.StagedLeadTime,
            RetireGracePeriod = request.RetireGracePeriod,
            UseSelfSignedCertificate = request.UseSelfSignedCertificate,
        };
        if (errors.IsEmpty || !errors.ContainsKey("type"))
        {
            errors.Merge(RotationRules.Validate(settings));
        }

        var connection = request.ConnectionId == Guid.Empty
            ? null
            : await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == request.ConnectionId, cancellationToken);
        if (connection is null && request.ConnectionId != Guid.Empty)
        {
            errors.Add("connectionId", "Connection not found.");
        }

        if (folder is not null)
        {
            await CheckFolderConflictsAsync(db, folder, settings.Name.Trim(), settings.SecretsMapping.SecretKeys, exceptRotationId: null, errors, cancellationToken);
        }

        if (errors.HasErrors)
        {
            return OperationResult<RotationView>.Invalid(errors);
        }

        // A credential has one owner (checked after the name, whose conflict Hanzo KMS reports first).
        errors.Merge(await ownership.CheckAsync(connection!.Id, settings.Parameters.ClientId, exceptRotationId: null, cancellationToken));
        if (errors.HasErrors)
        {
            return OperationResult<RotationView>.Invalid(errors);
        }

        // Only reads from here on: Auth0 is changed by the first run, after the rotation exists.
        var strategy = settings.Strategy ?? RotationSlugs.DefaultStrategyFor(type);
        var application = await CheckApplicationAsync(connection!, type, settings.Parameters.ClientId.Trim(), request.SwitchToPrivateKeyJwt, cancellationToken);
        if (application.Unavailable is { } unavailable)
        {
            return OperationResult<RotationView>.Fail(unavailable);
        }

        errors.Merge(application.Errors);
        if (errors.HasErrors)
        {
            return OperationResult<RotationView>.Invalid(errors);
        }

        var now = timeProvider.GetUtcNow();
        var rotation = Rotation.Create(settings, now);
        rotation.RecordApplicationName(application.Name);
        db.Rotations.Add(rotation);
        db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.RotationCreate, AuditTarget.Rotation(rotation.Id, rotation.Name), AuditOutcome.Success,
            $"{type.ToSlug()} ({StrategyPlan.Label(strategy)}) of application {rotation.Parameters.ClientId} through connection {connection!.Name}, " +
            $"in {environment!.Slug}:{folder!.Path}; secrets {string.Join(", ", rotation.SecretsMapping.SecretKeys)}."));
        try
        {
            // Saved only while the application is still free (another create may have claimed it meanwhile).
            var owned = await ownership.ClaimAsync(connection.Id, rotation.Parameters.ClientId, exceptRotationId: null,
                () => db.SaveChangesAsync(cancellationToken), cancellationToken);
            if (owned.HasErrors)
            {
                return OperationResult<RotationView>.Invalid(owned);
            }
        }
        catch (DbUpdateException exception) when (IsUniqueViolation(exception))
        {
            return OperationResult<RotationView>.Invalid("name", RotationRules.DuplicateNameMessage(rotation.Name, folder.Path));
        }

        notifier.Publish(new RotationChangedEvent(rotation.Id, RotationChangeKind.Created, now));
        var start = await engine.StartAsync(
            rotation.Id, RunTrigger.Create, user.Actor, new RunStartOptions { AllowAuthMethodSwitch = request.SwitchToPrivateKeyJwt }, cancellationToken);
        if (start.IsRunning)
        {
            await start.Completion.WaitAsync(cancellationToken);
        }

        return OperationResult.Success((await GetAsync(rotation.Id, cancellationToken))!);
    }

    // ---- Update ------------------------------------------------------------------------------------------

    /// <summary>
    /// Applies a partial update and recomputes <c>nextRotationAt</c>; turning auto-rotation off clears it and removes
    /// the trigger at once. Renaming a mapped secret renames the secret the rotation owns. The application, mapping
    /// and strategy cannot change while a run is under way (Conflict).
    /// </summary>
    /// <param name="expectedRowVersion">The <see cref="RotationView.RowVersion"/> the editor saw; a newer one is a Conflict.</param>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<RotationView>> UpdateAsync(
        Guid id,
        UpdateRotationRequest request,
        DashboardUser user,
        long? expectedRowVersion = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        await EnsurePermittedAsync(user, ApiPermissions.RotationsWrite, rotation is null ? null : Location.Of(await GetAsync(id, cancellationToken)),
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

        var changes = new RotationChanges
        {
            Name = request.Name,
            Description = request.Description,
            Strategy = request.Strategy,
            Parameters = request.Parameters,
            SecretsMapping = request.SecretsMapping,
            IsAutoRotationEnabled = request.IsAutoRotationEnabled,
            RotationInterval = request.RotationInterval,
            RotateAtUtc = request.RotateAtUtc,
            StagedLeadTime = request.StagedLeadTime,
            RetireGracePeriod = request.RetireGracePeriod,
            UseSelfSignedCertificate = request.UseSelfSignedCertificate,
        };
        var errors = rotation.ValidateChanges(changes);
        var newName = request.Name?.Trim();
        var renamedKeys = RenamedMappingKeys(rotation.SecretsMapping, request.SecretsMapping);
        var folder = await db.Folders.AsNoTracking().SingleAsync(f => f.Id == rotation.FolderId, cancellationToken);
        if (!errors.HasErrors)
        {
            await CheckFolderConflictsAsync(
                db, folder, newName is not null && newName != rotation.Name ? newName : null, renamedKeys.Select(r => r.NewKey).ToList(), rotation.Id, errors, cancellationToken);
        }

        if (errors.HasErrors)
        {
            return OperationResult<RotationView>.Invalid(errors);
        }

        var newClientId = request.Parameters?.ClientId.Trim();
        var clientChanged = newClientId is not null && newClientId != rotation.Parameters.ClientId;
        var sensitive = clientChanged || renamedKeys.Count > 0 || (request.Strategy is { } s && s != rotation.Strategy);
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
            var application = await CheckApplicationAsync(connection, rotation.Type, newClientId!, switchToPrivateKeyJwt: false, cancellationToken);
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

        var before = Describe(rotation);
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

        var after = Describe(rotation);
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
        catch (DbUpdateException exception) when (IsUniqueViolation(exception))
        {
            return OperationResult<RotationView>.Conflict("The new name or a mapped secret name was taken meanwhile. Reload and try again.");
        }

        // A disabled rotation never runs: its trigger goes now, before anything else can fire it.
        await scheduler.RescheduleAsync(rotation.Id, cancellationToken);
        // ...and a scheduled run still in its lead time is withdrawn (or waits for a changed lead time).
        engine.ReconsiderWaitingRun(rotation.Id);
        notifier.Publish(new RotationChangedEvent(rotation.Id, RotationChangeKind.Updated, now));
        return OperationResult.Success((await GetAsync(rotation.Id, cancellationToken))!);
    }

    // ---- Delete ------------------------------------------------------------------------------------------

    /// <summary>
    /// Deletes the rotation and its run history. With <paramref name="revokeGeneratedCredentials"/> its credentials stop
    /// working first (client secret: Auth0's rotate-secret, so nobody knows the new one; Private Key JWT: the
    /// rotation's keys are detached and deleted); if that fails nothing is deleted. With <paramref name="deleteSecrets"/>
    /// the mapped secrets go too; otherwise they are released for editing by hand. Returns the rotation as it was.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<RotationView>> DeleteAsync(
        Guid id,
        bool revokeGeneratedCredentials,
        bool deleteSecrets,
        DashboardUser user,
        CancellationToken cancellationToken = default)
    {
        var view = await GetAsync(id, cancellationToken);
        await EnsurePermittedAsync(user, ApiPermissions.RotationsWrite, Location.Of(view), AuditActions.RotationDelete, "delete rotations",
            new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), view?.Name), cancellationToken);
        if (view is null)
        {
            return OperationResult<RotationView>.NotFound("The rotation does not exist.");
        }

        var store = runStore;
        var holder = $"{engine.InstanceName}/delete/{Guid.NewGuid():N}";
        if (!await store.TryAcquireLeaseAsync(id, holder, TimeSpan.FromMinutes(2), cancellationToken))
        {
            return OperationResult<RotationView>.Conflict("A rotation run is in progress; delete the rotation when it has finished.");
        }

        var target = AuditTarget.Rotation(id, view.Name);
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var rotation = await db.Rotations.SingleAsync(r => r.Id == id, cancellationToken);
            var revoked = "";
            if (revokeGeneratedCredentials)
            {
                try
                {
                    revoked = await RevokeAsync(db, rotation, cancellationToken);
                }
                catch (CredentialAuthorityException exception)
                {
                    var reason = SecretScrubber.Patterns.ScrubAndTruncate(exception.Message, 1024);
                    await audit.WriteAsync(user.Actor, AuditActions.RotationDelete, target, AuditOutcome.Failure,
                        $"Revoking the generated credentials failed; nothing was deleted: {reason}", cancellationToken);
                    return OperationResult<RotationView>.Conflict($"The generated credentials could not be revoked in Auth0, so nothing was deleted: {reason}");
                }
            }

            var now = timeProvider.GetUtcNow();
            var secrets = await db.Secrets.Where(x => x.OwnerRotationId == id).ToListAsync(cancellationToken);
            foreach (var secret in secrets)
            {
                if (deleteSecrets)
                {
                    db.Secrets.Remove(secret);
                    db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.SecretDelete, AuditTarget.Secret(secret.Id, secret.Key), AuditOutcome.Success,
                        $"Deleted with rotation \"{rotation.Name}\"."));
                }
                else
                {
                    secret.ReleaseFromRotation(id, now);
                    db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.SecretRelease, AuditTarget.Secret(secret.Id, secret.Key), AuditOutcome.Success,
                        $"No longer managed by rotation \"{rotation.Name}\" (deleted); editable by hand."));
                }
            }

            db.Rotations.Remove(rotation);
            db.AuditEvents.Add(AuditEvent.Record(now, user.Actor, AuditActions.RotationDelete, target, AuditOutcome.Success,
                $"Credentials {(revokeGeneratedCredentials ? "revoked" + revoked : "left valid")}; {secrets.Count} mapped secret(s) {(deleteSecrets ? "deleted" : "released")}."));
            await db.SaveChangesAsync(cancellationToken);
            await scheduler.UnscheduleAsync(id, cancellationToken);
            notifier.Publish(new RotationChangedEvent(id, RotationChangeKind.Deleted, now));
            return OperationResult.Success(view);
        }
        finally
        {
            await store.ReleaseLeaseAsync(id, holder, CancellationToken.None);
        }
    }

    // ---- Rotate now --------------------------------------------------------------------------------------

    /// <summary>
    /// Starts a run now (trigger <see cref="RunTrigger.Manual"/> from the UI, <see cref="RunTrigger.Api"/> from the
    /// API). With <paramref name="waitForCompletion"/> it returns after the run ended (or waits in Retire), like
    /// seed 002's <c>rotate-secrets</c>; without, at once, and the caller follows the run through
    /// <see cref="IRotationRunNotifier"/>. A run already under way gives Conflict ("already rotating").
    /// A run that failed is still a successful call: see <see cref="RunView.Status"/> and the rotation's message.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<RotateNowResult>> RotateNowAsync(
        Guid id,
        RunTrigger trigger,
        DashboardUser user,
        bool waitForCompletion,
        CancellationToken cancellationToken = default)
    {
        if (trigger is not (RunTrigger.Manual or RunTrigger.Api))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Rotate now is a manual or an API trigger.");
        }

        var view = await GetAsync(id, cancellationToken);
        await EnsurePermittedAsync(user, ApiPermissions.RotationsWrite, Location.Of(view), AuditActions.RotationRotate, "rotate credentials",
            new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), view?.Name), cancellationToken);
        var start = await engine.StartAsync(id, trigger, user.Actor, cancellationToken: cancellationToken);
        switch (start.Status)
        {
            case RunStartStatus.NotFound:
                return OperationResult<RotateNowResult>.NotFound("The rotation does not exist.");
            case RunStartStatus.Started or RunStartStatus.Resumed:
                break;
            default:
                return OperationResult<RotateNowResult>.Conflict(start.Message ?? "A rotation is already in progress.");
        }

        if (waitForCompletion)
        {
            await start.Completion.WaitAsync(cancellationToken);
        }

        var run = await GetRunAsync(start.RunId!.Value, cancellationToken);
        var rotation = await GetAsync(id, cancellationToken);
        return rotation is null || run is null
            ? OperationResult<RotateNowResult>.NotFound("The rotation was deleted meanwhile.")
            : OperationResult.Success(new RotateNowResult(run, rotation, start.Status == RunStartStatus.Resumed));
    }

    // ---- Queries -----------------------------------------------------------------------------------------

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
            var pattern = "%" + query.Search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            rows = rows.Where(r =>
                EF.Functions.Like(r.Rotation.Name, pattern, "\\")
                || EF.Functions.Like(r.Rotation.Description!, pattern, "\\")
                || EF.Functions.Like(r.Rotation.Parameters.ClientId, pattern, "\\")
                || EF.Functions.Like(r.Rotation.ApplicationName!, pattern, "\\")
                || EF.Functions.Like(r.ConnectionName, pattern, "\\"));
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
            row.Rotation.NeedsAttention)).ToList();
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

    /// <summary>
    /// Reveals the generated credentials (Admin only, audited as <c>rotation.reveal-credentials</c> before the values
    /// are returned): the slots with CURRENT/PREVIOUS labels and whether Auth0 still accepts each, plus NEXT while a run
    /// is under way.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The user is not an Admin.</exception>
    public async Task<OperationResult<GeneratedCredentialsView>> GetGeneratedCredentialsAsync(Guid id, DashboardUser user, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rotation = await db.Rotations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        var target = new AuditTarget(AuditTargetTypes.Rotation, id.ToString(), rotation?.Name);
        await EnsurePermittedAsync(user, ApiPermissions.RotationsReveal, rotation is null ? null : Location.Of(await GetAsync(id, cancellationToken)),
            AuditActions.RotationRevealCredentials, "reveal generated credentials", target, cancellationToken);
        if (rotation is null)
        {
            return OperationResult<GeneratedCredentialsView>.NotFound("The rotation does not exist.");
        }

        var view = await BuildCredentialsViewAsync(db, rotation, cancellationToken);
        var revealed = view.GeneratedCredentials.Select(v => $"slot {v.SlotIndex} ({v.Stage.ToString().ToUpperInvariant()})").ToList();
        if (view.Next is not null)
        {
            revealed.Add("NEXT");
        }

        await audit.WriteAsync(user.Actor, AuditActions.RotationRevealCredentials, AuditTarget.Rotation(rotation.Id, rotation.Name), AuditOutcome.Success,
            revealed.Count == 0 ? "Nothing generated yet." : "Revealed " + string.Join(", ", revealed) + ".", cancellationToken);
        return OperationResult.Success(view);
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

    // ---- Helpers -----------------------------------------------------------------------------------------

    private const string ConcurrencyMessage = "The rotation was changed by someone else (or by a run) in the meantime. Reload it and try again.";

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
                r.Id, r.Name, r.Description, r.Type.ToSlug(), r.Strategy, r.Parameters, r.SecretsMapping, r.IsAutoRotationEnabled, r.ActiveIndex,
                r.FolderId, r.ConnectionId, r.CreatedAt, r.UpdatedAt, r.RotationInterval, r.RotationStatus?.ToSlug(), r.LastRotationAttemptedAt,
                r.LastRotatedAt, r.LastRotationJobId, r.NextRotationAt,
                new RotationConnectionRef("auth0", row.ConnectionName, r.ConnectionId),
                new RotationEnvironmentRef(row.EnvironmentSlug, row.EnvironmentName, r.EnvironmentId),
                r.ProjectId,
                new RotationFolderRef(r.FolderId, row.FolderPath),
                r.RotateAtUtc, ReadMessage(r), r.IsLastRotationManual, r.StagedLeadTime, r.RetireGracePeriod, r.UseSelfSignedCertificate, r.ApplicationName, r.RowVersion,
                r.IsLeased(now),
                runs.TryGetValue(r.Id, out var run) ? ToRunView(run, r) : null,
                r.NeedsAttention);
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

    /// <summary>
    /// Refuses (audited) a caller without <paramref name="permission"/> where the rotation is: a session needs the Admin
    /// role, a token the permission for that project and environment (a token is never an Admin).
    /// </summary>
    private async Task EnsurePermittedAsync(
        DashboardUser user,
        string permission,
        Location? location,
        string action,
        string verb,
        AuditTarget target,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.May(permission, location?.ProjectId, location?.Environment, location?.SecretPath))
        {
            return;
        }

        var reason = user.Denial(permission, verb, location is not null);
        await audit.WriteAsync(user.Actor, action, target, AuditOutcome.Denied, reason, cancellationToken);
        throw new ForbiddenActionException(reason);
    }

    /// <summary>Where a rotation is, as token limits see it.</summary>
    private sealed record Location(Guid ProjectId, string Environment, string SecretPath)
    {
        public static Location? Of(RotationView? view) =>
            view is null ? null : new Location(view.ProjectId, view.Environment.Slug, view.Folder.Path);

        public static Location Of(CreateRotationRequest request) =>
            new(request.ProjectId, request.Environment.Trim(), request.SecretPath);
    }

    private static async Task<(ProjectEnvironment? Environment, Folder? Folder)> ResolveLocationAsync(
        RotationDashboardDbContext db,
        CreateRotationRequest request,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        if (request.ProjectId == Guid.Empty)
        {
            return (null, null);
        }

        if (!await db.Projects.AnyAsync(p => p.Id == request.ProjectId, cancellationToken))
        {
            errors.Add("projectId", "Project not found.");
            return (null, null);
        }

        var slug = request.Environment?.Trim() ?? string.Empty;
        var environment = slug.Length == 0
            ? null
            : await db.Environments.AsNoTracking().SingleOrDefaultAsync(e => e.ProjectId == request.ProjectId && e.Slug == slug, cancellationToken);
        if (environment is null)
        {
            errors.Add("environment", slug.Length switch
            {
                0 => "Environment is required.",
                > 64 => "Environment must be an environment slug of at most 64 characters (e.g. dev).",
                _ => $"Environment \"{slug}\" does not exist in the project.",
            });
            return (null, null);
        }

        if (!FolderPath.TryNormalize(request.SecretPath, out var path, out var pathError))
        {
            errors.Add("secretPath", pathError!);
            return (environment, null);
        }

        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.EnvironmentId == environment.Id && f.Path == path, cancellationToken);
        if (folder is null)
        {
            errors.Add("secretPath", $"Folder \"{path}\" does not exist in environment \"{slug}\".");
        }

        return (environment, folder);
    }

    /// <summary>
    /// The wizard's mapping step, before anything is saved: mapped names must not be taken in the folder, by an
    /// existing secret or by another rotation's mapping. Errors are on <c>secretsMapping</c>.
    /// </summary>
    public async Task<ValidationErrors> CheckMappingNamesAsync(
        Guid folderId,
        IReadOnlyCollection<string> keys,
        Guid? exceptRotationId,
        CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == folderId, cancellationToken);
        if (folder is null)
        {
            errors.Add("secretPath", "The folder does not exist.");
            return errors;
        }

        await CheckFolderConflictsAsync(db, folder, name: null, keys, exceptRotationId, errors, cancellationToken);
        return errors;
    }

    /// <summary>Infisical's rules: the name is unique in the folder, and mapped secret names must not exist there yet.</summary>
    private static async Task CheckFolderConflictsAsync(
        RotationDashboardDbContext db,
        Folder folder,
        string? name,
        IReadOnlyCollection<string> newKeys,
        Guid? exceptRotationId,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(name)
            && await db.Rotations.AnyAsync(r => r.FolderId == folder.Id && r.Name == name && r.Id != exceptRotationId, cancellationToken))
        {
            errors.Add("name", RotationRules.DuplicateNameMessage(name, folder.Path));
        }

        var keys = newKeys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return;
        }

        var taken = await db.Secrets.AsNoTracking()
            .Where(s => s.FolderId == folder.Id && keys.Contains(s.Key) && (exceptRotationId == null || s.OwnerRotationId != exceptRotationId))
            .Select(s => s.Key)
            .ToListAsync(cancellationToken);
        if (taken.Count > 0)
        {
            errors.Add("secretsMapping", RotationRules.ConflictingSecretsMessage(folder.Path, taken.Order(StringComparer.Ordinal)));
        }

        foreach (var (key, rotationName) in await MappedSecretNames.FindAsync(db, folder.Id, keys, exceptRotationId, cancellationToken))
        {
            if (!taken.Contains(key))
            {
                errors.Add("secretsMapping", MappedSecretNames.ReservedMessage(key, rotationName));
            }
        }
    }

    /// <summary>Read-only checks in Auth0: the connection works and has the scopes, the application exists and fits the type.</summary>
    /// <returns>
    /// <c>Unavailable</c> is set when Auth0 could not answer (down, overloaded, rate limiting): not the input's fault,
    /// so it is not reported on a field.
    /// </returns>
    private async Task<(ValidationErrors Errors, string? Name, OperationFailure? Unavailable)> CheckApplicationAsync(
        Connection connection,
        RotationType type,
        string clientId,
        bool switchToPrivateKeyJwt,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        string? name = null;
        if (string.Equals(clientId, connection.ClientId, StringComparison.Ordinal))
        {
            errors.Add("parameters.clientId", "This is the connection's own application; rotating its credential would lock the connection out.");
            return (errors, name, null);
        }

        if (string.Equals(clientId, signIn.Value.SignInClientId, StringComparison.Ordinal))
        {
            errors.Add("parameters.clientId", "This is the dashboard's own sign-in application; rotating its credential would lock everyone out of the dashboard.");
            return (errors, name, null);
        }

        IAuth0ManagementClient management;
        try
        {
            management = managementClients.Create(connections.ToSettings(connection));
        }
        catch (Exception exception) when (exception is SecretDecryptionException or FormatException or InvalidOperationException)
        {
            errors.Add("connectionId", $"The connection cannot be used: {SecretScrubber.Patterns.Scrub(exception.Message)}");
            return (errors, name, null);
        }

        try
        {
            var granted = await management.GetGrantedScopesAsync(cancellationToken);
            var missing = Auth0ManagementScopes.FindMissing(granted, RequiredScopes(type));
            if (missing.Count > 0)
            {
                errors.Add("connectionId", $"The connection's application lacks the Management API scope(s) this rotation needs: {string.Join(", ", missing)}.");
                return (errors, name, null);
            }

            var client = await management.GetClientAsync(clientId, ClientFields, cancellationToken);
            name = client.Name;
            var isPublic = client.TokenEndpointAuthMethod == Auth0TokenEndpointAuthMethods.None && !client.UsesPrivateKeyJwt;
            if (isPublic || client.AppType is "native" or "spa")
            {
                errors.Add("parameters.clientId", $"Application \"{client.Name ?? clientId}\" is a public application; it has no credential to rotate.");
            }
            else if (type == RotationType.Auth0ClientSecret && client.UsesPrivateKeyJwt)
            {
                errors.Add("parameters.clientId",
                    $"Application \"{client.Name ?? clientId}\" authenticates with Private Key JWT, so it has no client secret to rotate. Use an {RotationSlugs.Auth0PrivateKeyJwt} rotation.");
            }
            else if (type == RotationType.Auth0PrivateKeyJwt && !client.UsesPrivateKeyJwt && !switchToPrivateKeyJwt)
            {
                errors.Add("switchToPrivateKeyJwt",
                    $"Application \"{client.Name ?? clientId}\" authenticates with a client secret today. Switching it to Private Key JWT breaks every " +
                    "consumer that still uses the secret; set switchToPrivateKeyJwt to switch it anyway.");
            }
            else if (type == RotationType.Auth0PrivateKeyJwt && client.PrivateKeyJwtCredentialIds.Count >= 2)
            {
                errors.Add("parameters.clientId",
                    $"Application \"{client.Name ?? clientId}\" already has two Private Key JWT credentials attached, the most Auth0 allows. Detach one first.");
            }
        }
        catch (Auth0ApiException exception) when (exception.IsNotFound)
        {
            errors.Add("parameters.clientId", $"Application \"{clientId}\" was not found in the tenant.");
        }
        catch (Auth0ApiException exception) when (IsUnavailable(exception))
        {
            LogAuth0Unavailable(logger, clientId, (int?)exception.StatusCode);
            var retryAfter = exception.RateLimit?.RetryAfter ?? ApiRetryAfterWhenUnknown;
            return (errors, name, new OperationFailure(OperationFailureKind.Unavailable,
                $"Auth0 is unavailable ({(exception.IsRateLimited ? "rate limited" : exception.StatusCode is { } status ? $"HTTP {(int)status}" : "no answer")}); " +
                "nothing was created or changed. Send the same request again later.",
                new Dictionary<string, string[]>(), retryAfter));
        }
        catch (Auth0ApiException exception)
        {
            errors.Add("connectionId", $"Auth0 could not be asked through this connection: {SecretScrubber.Patterns.Scrub(exception.Message)}");
        }

        return (errors, name, null);
    }

    private static readonly TimeSpan ApiRetryAfterWhenUnknown = TimeSpan.FromSeconds(30);

    /// <summary>Auth0 could not answer now (429, 5xx, timeouts), as opposed to refusing the request or the connection.</summary>
    private static bool IsUnavailable(Auth0ApiException exception) =>
        exception.IsRateLimited || exception.StatusCode is null || (int)exception.StatusCode >= 500 || (exception.IsTransient && exception.StatusCode is not System.Net.HttpStatusCode.Unauthorized and not System.Net.HttpStatusCode.Forbidden);

    private async Task<string> RevokeAsync(RotationDashboardDbContext db, Rotation rotation, CancellationToken cancellationToken)
    {
        var authority = await authorities.CreateAsync(rotation.ConnectionId, cancellationToken);
        var clientId = rotation.Parameters.ClientId;
        if (rotation.Type == RotationType.Auth0ClientSecret)
        {
            await authority.RevokeClientSecretAsync(clientId, cancellationToken);
            LogRevoked(logger, rotation.Id, "client secret replaced by one nobody knows");
            return " (Auth0 generated a new client secret nobody knows)";
        }

        var ours = rotation.ReadGeneratedCredentials(protector).Select(c => c.CredentialId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var pending = await db.RotationRuns.AsNoTracking()
            .Where(r => r.RotationId == rotation.Id && r.EncryptedPendingCredential != null)
            .ToListAsync(cancellationToken);
        foreach (var run in pending)
        {
            if (run.ReadPendingCredential(protector)?.CredentialId is { } id)
            {
                ours.Add(id);
            }
        }

        var application = await authority.GetApplicationAsync(clientId, includeCredentials: true, cancellationToken);
        var prefix = RotationRunner.CredentialNamePrefix(rotation.Id);
        ours.UnionWith(application.Credentials.Where(c => c.Name?.StartsWith(prefix, StringComparison.Ordinal) == true).Select(c => c.Id));
        var remaining = application.AttachedCredentialIds.Where(id => !ours.Contains(id)).ToList();
        var note = "";
        if (application.AttachedCredentialIds.Any(ours.Contains))
        {
            if (remaining.Count > 0)
            {
                await authority.AttachPublicKeyCredentialsAsync(clientId, remaining, cancellationToken);
            }
            else
            {
                // Auth0 needs some authentication method: fall back to a client secret, and make it one nobody knows.
                await authority.UseClientSecretAsync(clientId, ClientSecretMethod.ClientSecretPost, cancellationToken);
                await authority.RevokeClientSecretAsync(clientId, cancellationToken);
                note = "; the application now has a client secret nobody knows";
            }
        }

        var existing = application.Credentials.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in ours.Where(existing.Contains))
        {
            await authority.DeleteCredentialAsync(clientId, id, cancellationToken);
        }

        LogRevoked(logger, rotation.Id, $"{ours.Count} key credential(s) deleted");
        return $" ({ours.Count(existing.Contains)} key credential(s) detached and deleted{note})";
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

    private static Dictionary<string, object?> Describe(Rotation rotation) => new(StringComparer.Ordinal)
    {
        ["name"] = rotation.Name,
        ["description"] = rotation.Description,
        ["strategy"] = rotation.Strategy,
        ["parameters"] = rotation.Parameters,
        ["secretsMapping"] = rotation.SecretsMapping,
        ["isAutoRotationEnabled"] = rotation.IsAutoRotationEnabled,
        ["rotationInterval"] = rotation.RotationInterval,
        ["rotateAtUtc"] = rotation.RotateAtUtc,
        ["stagedLeadTime"] = rotation.StagedLeadTime,
        ["retireGracePeriod"] = rotation.RetireGracePeriod,
        ["useSelfSignedCertificate"] = rotation.UseSelfSignedCertificate,
    };

    private static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated credentials of rotation {RotationId} revoked: {What}")]
    private static partial void LogRevoked(ILogger logger, Guid rotationId, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth0 was unavailable checking application {ClientId} (HTTP {Status}); nothing was changed")]
    private static partial void LogAuth0Unavailable(ILogger logger, string clientId, int? status);
}
