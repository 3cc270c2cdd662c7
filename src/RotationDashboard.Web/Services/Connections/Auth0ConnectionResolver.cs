using Microsoft.EntityFrameworkCore;
using RotationDashboard.Auth0;
using RotationDashboard.Core.Connections;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Web.Data;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>A stored connection with its decrypted Management API credentials, ready for the Auth0 client.</summary>
public sealed record ResolvedConnection(Connection Connection, Auth0ConnectionSettings Settings)
{
    public override string ToString() => $"ResolvedConnection {{ {Connection.Name}, {Settings.Tenant} }}";
}

/// <summary>Turns stored connections into Auth0 client settings (decrypting the client secret only in memory).</summary>
public interface IAuth0ConnectionResolver
{
    /// <exception cref="ConnectionNotFoundException">No connection has that id.</exception>
    Task<ResolvedConnection> ResolveAsync(Guid connectionId, CancellationToken cancellationToken = default);

    Auth0ConnectionSettings ToSettings(Connection connection);
}

public sealed class ConnectionNotFoundException(Guid connectionId)
    : Exception($"Connection {connectionId} does not exist.")
{
    public Guid ConnectionId { get; } = connectionId;
}

public sealed class Auth0ConnectionResolver(
    IDbContextFactory<RotationDashboardDbContext> contextFactory,
    ISecretProtector protector,
    LocalServerAddress localServer,
    Microsoft.Extensions.Options.IOptions<SandboxIntegrationOptions>? sandbox = null) : IAuth0ConnectionResolver
{
    public async Task<ResolvedConnection> ResolveAsync(Guid connectionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken)
                         ?? throw new ConnectionNotFoundException(connectionId);
        return new ResolvedConnection(connection, ToSettings(connection));
    }

    public Auth0ConnectionSettings ToSettings(Connection connection)
    {
        // The built-in sandbox lives inside this app: its address is wherever the app listens now, not where it
        // listened when the connection was saved, and its audience follows from that address.
        if (connection.IsSandbox)
        {
            // (Sandbox:TenantUrl: a stand-alone sandbox tenant that several instances share.)
            var tenantBase = sandbox?.Value.SharedTenantBase ?? new Uri(localServer.Get(), SandboxIntegration.MountPath.TrimStart('/') + "/");
            var tenant = Auth0TenantAddress.Parse(tenantBase.ToString());
            return new Auth0ConnectionSettings(tenant, connection.ClientId, connection.RevealClientSecret(protector));
        }

        return new Auth0ConnectionSettings(
            Auth0TenantAddress.Parse(connection.Domain),
            connection.ClientId,
            connection.RevealClientSecret(protector),
            connection.Audience);
    }
}
