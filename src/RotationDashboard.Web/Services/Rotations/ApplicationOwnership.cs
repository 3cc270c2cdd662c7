using Microsoft.EntityFrameworkCore;
using RotationDashboard.Core.Common;
using RotationDashboard.Core.Connections;
using RotationDashboard.Web.Data;

namespace RotationDashboard.Web.Services.Rotations;

/// <summary>The rotation that owns an application's credential, for messages and the application picker.</summary>
public sealed record ApplicationOwner(Guid RotationId, string RotationName, string EnvironmentSlug, string FolderPath)
{
    public string Location => $"{EnvironmentSlug}:{FolderPath}";
}

/// <summary>
/// A credential has one owner: two rotations of one application would each replace the credential the other one
/// publishes. An application is identified by its client id and its tenant (<see cref="Connection.TenantKey"/>),
/// whichever connection reaches it. Create, update, the wizard and the picker all ask here.
/// </summary>
public sealed class ApplicationOwnership(IDbContextFactory<RotationDashboardDbContext> contextFactory)
{
    // Check-then-insert of rotations runs one at a time, so two creates of one application cannot both pass.
    private readonly SemaphoreSlim _claims = new(1, 1);

    /// <summary>Owners of the applications in the tenant <paramref name="connectionId"/> points at, by client id.</summary>
    public async Task<IReadOnlyDictionary<string, ApplicationOwner>> FindOwnersAsync(
        Guid connectionId,
        Guid? exceptRotationId = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await QueryAsync(db, connectionId, clientId: null, exceptRotationId, cancellationToken);
        return rows.GroupBy(r => r.ClientId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Owner, StringComparer.Ordinal);
    }

    /// <summary>The error for <c>parameters.clientId</c> when another rotation owns the application; empty when it is free.</summary>
    public async Task<ValidationErrors> CheckAsync(
        Guid connectionId,
        string clientId,
        Guid? exceptRotationId = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await CheckAsync(db, connectionId, clientId, exceptRotationId, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="claim"/> (which saves the rotation) only when the application is still free, one claim at
    /// a time in this process; returns the errors instead when another rotation owns it.
    /// </summary>
    public async Task<ValidationErrors> ClaimAsync(
        Guid connectionId,
        string clientId,
        Guid? exceptRotationId,
        Func<Task> claim,
        CancellationToken cancellationToken)
    {
        await _claims.WaitAsync(cancellationToken);
        try
        {
            var errors = await CheckAsync(connectionId, clientId, exceptRotationId, cancellationToken);
            if (errors.IsEmpty)
            {
                await claim();
            }

            return errors;
        }
        finally
        {
            _claims.Release();
        }
    }

    public static string OwnedMessage(string clientId, ApplicationOwner owner) =>
        $"Application \"{clientId}\" is already rotated by rotation \"{owner.RotationName}\" (in {owner.Location}) in this tenant. " +
        "A credential has one owner: two rotations would each replace the credential the other publishes. Edit or delete that rotation instead.";

    private static async Task<ValidationErrors> CheckAsync(
        RotationDashboardDbContext db,
        Guid connectionId,
        string clientId,
        Guid? exceptRotationId,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var owner = (await QueryAsync(db, connectionId, clientId.Trim(), exceptRotationId, cancellationToken)).FirstOrDefault();
        if (owner is not null)
        {
            errors.Add("parameters.clientId", OwnedMessage(owner.ClientId, owner.Owner));
        }

        return errors;
    }

    private static async Task<List<OwnedApplication>> QueryAsync(
        RotationDashboardDbContext db,
        Guid connectionId,
        string? clientId,
        Guid? exceptRotationId,
        CancellationToken cancellationToken)
    {
        var connections = await db.Connections.AsNoTracking().ToListAsync(cancellationToken);
        var tenant = connections.SingleOrDefault(c => c.Id == connectionId)?.TenantKey;
        if (tenant is null)
        {
            return [];
        }

        var sameTenant = connections.Where(c => c.TenantKey == tenant).Select(c => c.Id).ToList();
        var rows = await (
                from r in db.Rotations.AsNoTracking()
                join e in db.Environments on r.EnvironmentId equals e.Id
                join f in db.Folders on r.FolderId equals f.Id
                where sameTenant.Contains(r.ConnectionId) && (clientId == null || r.Parameters.ClientId == clientId)
                      && (exceptRotationId == null || r.Id != exceptRotationId)
                orderby r.CreatedAt
                select new { r.Id, r.Name, r.Parameters.ClientId, e.Slug, f.Path })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new OwnedApplication(r.ClientId, new ApplicationOwner(r.Id, r.Name, r.Slug, r.Path))).ToList();
    }

    private sealed record OwnedApplication(string ClientId, ApplicationOwner Owner);
}
