using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Projects;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations;

/// <summary>The new rotation and its first run (null when it did not start), which completes when that run ends.</summary>
public sealed record RotationCreation(Guid RotationId, Guid? RunId, Task Completion);

/// <summary>Creates a rotation (UI wizard and API): validated before Auth0 is touched, then the first issuance as a run.</summary>
public sealed class CreateRotation(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    RotationEngine engine,
    ApplicationOwnership ownership,
    Auth0ApplicationCheck applicationCheck,
    PermissionGuard guard,
    RotationQueries queries,
    TimeProvider timeProvider)
{
    /// <summary>
    /// Validates everything first (fields, name unique in the folder, mapped secret names free, the connection and its
    /// scopes, the application in Auth0: reads only), then creates the rotation and issues its first credential as a
    /// run (trigger Create), waiting for it. The result is the created rotation; when the first run failed, its
    /// <c>RotationStatus</c> is <c>failed</c> with the reason, and Auth0 was put back as it was.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:write there.</exception>
    public async Task<OperationResult<RotationView>> ExecuteAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        var started = await StartAsync(request, user, cancellationToken);
        if (!started.Succeeded)
        {
            return OperationResult<RotationView>.Fail(started.Failure!);
        }

        await started.Value.Completion.WaitAsync(cancellationToken);
        return OperationResult.Success((await queries.GetAsync(started.Value.RotationId, cancellationToken))!);
    }

    /// <summary>
    /// Like <see cref="ExecuteAsync"/>, but returns as soon as the first run has started: the caller follows that run
    /// by <see cref="RotationCreation.RunId"/> (live events carry it) and may await <see cref="RotationCreation.Completion"/>.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller lacks rotations:write there.</exception>
    public async Task<OperationResult<RotationCreation>> StartAsync(CreateRotationRequest request, DashboardUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, RotationLocation.Of(request), AuditActions.RotationCreate, "create rotations",
            new AuditTarget(AuditTargetTypes.Rotation, null, request.Settings.Name), cancellationToken);

        var errors = new ValidationErrors();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var (environment, folder) = await ResolveLocationAsync(db, request, errors, cancellationToken);
        var settings = request.Settings with
        {
            // Placeholders keep "required" messages away from fields whose real error is already recorded.
            EnvironmentId = environment?.Id ?? Guid.NewGuid(),
            FolderId = folder?.Id ?? Guid.NewGuid(),
        };
        errors.Merge(RotationRules.Validate(settings));

        var connection = settings.ConnectionId == Guid.Empty
            ? null
            : await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == settings.ConnectionId, cancellationToken);
        if (connection is null && settings.ConnectionId != Guid.Empty)
        {
            errors.Add("connectionId", "Connection not found.");
        }

        if (folder is not null)
        {
            await CheckMappingNames.CheckFolderConflictsAsync(db, folder, settings.Name.Trim(), settings.SecretsMapping.SecretKeys, exceptRotationId: null, errors, cancellationToken);
        }

        if (errors.HasErrors)
        {
            return OperationResult<RotationCreation>.Invalid(errors);
        }

        // A credential has one owner (checked after the name, whose conflict Hanzo KMS reports first).
        errors.Merge(await ownership.CheckAsync(connection!.Id, settings.Parameters.ClientId, exceptRotationId: null, cancellationToken));
        if (errors.HasErrors)
        {
            return OperationResult<RotationCreation>.Invalid(errors);
        }

        // Only reads from here on: Auth0 is changed by the first run, after the rotation exists.
        var type = settings.Type;
        var strategy = settings.Strategy ?? RotationSlugs.DefaultStrategyFor(type);
        var application = await applicationCheck.CheckAsync(connection!, type, settings.Parameters.ClientId.Trim(), request.SwitchToPrivateKeyJwt, cancellationToken);
        if (application.Unavailable is { } unavailable)
        {
            return OperationResult<RotationCreation>.Fail(unavailable);
        }

        errors.Merge(application.Errors);
        if (errors.HasErrors)
        {
            return OperationResult<RotationCreation>.Invalid(errors);
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
                return OperationResult<RotationCreation>.Invalid(owned);
            }
        }
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            return OperationResult<RotationCreation>.Invalid("name", RotationRules.DuplicateNameMessage(rotation.Name, folder.Path));
        }

        // Saved and dispatched (the live UI has its Created event): the first issuance is a run like any other.
        var start = await engine.StartAsync(
            rotation.Id, RunTrigger.Create, user.Actor, new RunStartOptions { AllowAuthMethodSwitch = request.SwitchToPrivateKeyJwt }, cancellationToken);
        return OperationResult.Success(new RotationCreation(rotation.Id, start.IsRunning ? start.RunId : null, start.IsRunning ? start.Completion : Task.CompletedTask));
    }

    private static async Task<(ProjectEnvironment? Environment, Folder? Folder)> ResolveLocationAsync(
        RotationDashboardDbContext db,
        CreateRotationRequest request,
        ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        var projectId = request.Settings.ProjectId;
        if (projectId == Guid.Empty)
        {
            return (null, null);
        }

        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            errors.Add("projectId", "Project not found.");
            return (null, null);
        }

        var slug = request.Environment?.Trim() ?? string.Empty;
        var environment = slug.Length == 0
            ? null
            : await db.Environments.AsNoTracking().SingleOrDefaultAsync(e => e.ProjectId == projectId && e.Slug == slug, cancellationToken);
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
}
