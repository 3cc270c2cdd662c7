using Microsoft.Extensions.Options;
using RotationDashboard.Core.Audit;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Rotations;
using RotationDashboard.Core.Security;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Security;
using RotationDashboard.Web.Services.Rotations;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>What a bulk rotation would cover, for the confirmation: how many rotations, of which connection, at what pace.</summary>
public sealed record BulkRotationPreview(
    int Count,
    string Description,
    string? ConnectionName,
    double RequestsPerSecond,
    int MaxInFlight,
    IReadOnlyList<RotationListItem> Rotations);

/// <summary>
/// Rotates a set of rotations now (incident response: a leaked credential, a departed administrator): every rotation of
/// a connection or of the dashboard's filter, each through <see cref="RotateNow"/> as its own run, paced by the tenant's
/// Management API budget. Returns the bulk operation's id at once; progress is read with <see cref="GetBulkOperation"/>.
/// </summary>
public sealed class StartBulkRotation(
    RotationQueries queries,
    RotateNow rotateNow,
    PermissionGuard guard,
    TenantBudgets budgets,
    BulkOperationRunner runner,
    IOptions<BulkRotationOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>The set as it is now, without starting anything (no permission needed beyond reading rotations).</summary>
    public async Task<OperationResult<BulkRotationPreview>> PreviewAsync(BulkRotationSet set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var rotations = await ResolveAsync(set, cancellationToken);
        if (rotations.Count > options.Value.MaxItems)
        {
            return OperationResult<BulkRotationPreview>.Invalid("set",
                $"The set has {rotations.Count} rotations; one bulk rotation covers at most {options.Value.MaxItems} (BulkRotation:MaxItems). Narrow the filter.");
        }

        string? connectionName = null;
        if (set.ConnectionId is { } connectionId)
        {
            connectionName = rotations.FirstOrDefault()?.ConnectionName;
            if (connectionName is null)
            {
                return OperationResult<BulkRotationPreview>.Invalid("connectionId", "The connection has no rotations (or does not exist).");
            }
        }

        var (rate, inFlight) = await budgets.ForAsync(rotations.Select(r => r.ConnectionId), cancellationToken);
        return OperationResult.Success(new BulkRotationPreview(rotations.Count, set.Describe(connectionName), connectionName, rate, inFlight, rotations));
    }

    /// <summary>
    /// Starts the bulk rotation. <paramref name="expectedCount"/>, when given, must equal the set's size now (the
    /// count the caller confirmed): a set that grew meanwhile is a conflict, not a surprise.
    /// </summary>
    /// <exception cref="ForbiddenActionException">The caller may not rotate one of the rotations (checked before anything starts).</exception>
    public async Task<OperationResult<Guid>> ExecuteAsync(
        BulkRotationSet set,
        DashboardUser user,
        RunTrigger trigger,
        int? expectedCount = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var preview = await PreviewAsync(set, cancellationToken);
        if (!preview.Succeeded)
        {
            return OperationResult<Guid>.Fail(preview.Failure!);
        }

        var value = preview.Value;
        if (value.Count == 0)
        {
            return OperationResult<Guid>.Invalid("set", "No rotation matches: nothing to rotate.");
        }

        foreach (var rotation in value.Rotations)
        {
            // Every rotation is checked before the first run starts: a refusal leaves all of them as they were.
            if (!user.May(ApiPermissions.RotationsWrite, rotation.ProjectId, rotation.EnvironmentSlug, rotation.SecretPath))
            {
                await guard.EnsureAsync(user, ApiPermissions.RotationsWrite, new ResourceLocation(rotation.ProjectId, rotation.EnvironmentSlug, rotation.SecretPath),
                    BulkAudit.Rotate, "rotate every rotation of this set", new AuditTarget(BulkAudit.TargetType, null, value.Description), cancellationToken);
            }
        }

        if (expectedCount is { } expected && expected != value.Count)
        {
            return OperationResult<Guid>.Conflict($"The set now has {value.Count} rotations, not the {expected} confirmed. Look at it again and confirm the new count.");
        }

        var operation = BulkOperation.Start(BulkOperationKind.Rotate, value.Description, set.ConnectionId, user.Actor.ToString(), timeProvider.GetUtcNow(),
            value.RequestsPerSecond, value.MaxInFlight);
        var work = new List<BulkItemWork>(value.Count);
        foreach (var rotation in value.Rotations)
        {
            operation.AddItem(rotation.Id, rotation.Name, rotation.ClientId);
            var id = rotation.Id;
            work.Add(ct => RotateAsync(id, trigger, user, ct));
        }

        return OperationResult.Success(await runner.LaunchAsync(operation, work, user.Actor, BulkAudit.Rotate, cancellationToken));
    }

    private async Task<BulkItemOutcome> RotateAsync(Guid rotationId, RunTrigger trigger, DashboardUser user, CancellationToken cancellationToken)
    {
        var rotated = await rotateNow.ExecuteAsync(rotationId, trigger, user, waitForCompletion: true, cancellationToken);
        if (!rotated.Succeeded)
        {
            return new BulkItemOutcome(false, rotated.Failure!.Message, rotationId);
        }

        var run = rotated.Value.Run;
        return run.Status switch
        {
            RunStatus.Succeeded => new BulkItemOutcome(true, run.Message, rotationId, run.Id),
            RunStatus.Running when run.WaitingUntil is { } until =>
                new BulkItemOutcome(true, $"New credential live; the previous key is retired at {until:u}.", rotationId, run.Id),
            RunStatus.Running => new BulkItemOutcome(true, "Started; the run goes on (staged lead time).", rotationId, run.Id),
            _ => new BulkItemOutcome(false, run.Message ?? rotated.Value.Rotation.LastRotationMessage ?? "The run failed.", rotationId, run.Id),
        };
    }

    private async Task<IReadOnlyList<RotationListItem>> ResolveAsync(BulkRotationSet set, CancellationToken cancellationToken)
    {
        var query = set.Query;
        var all = new List<RotationListItem>();
        while (true)
        {
            var page = await queries.QueryAsync(query with { Skip = all.Count }, cancellationToken);
            all.AddRange(page.Items);
            if (page.Items.Count == 0 || all.Count >= page.TotalCount || all.Count > options.Value.MaxItems)
            {
                return all;
            }
        }
    }
}
