using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

/// <summary>
/// The Management API budget a set of connections shares: one per distinct tenant (as the Auth0 client meters it),
/// summed, since each tenant's limiter paces its own calls. Sizes how many runs a bulk operation keeps in flight.
/// </summary>
public sealed class TenantBudgets(IAuth0ConnectionResolver resolver, IOptionsMonitor<Auth0ClientOptions> auth0Options, IOptions<BulkRotationOptions> bulkOptions)
{
    public async Task<(double RequestsPerSecond, int MaxInFlight)> ForAsync(IEnumerable<Guid> connectionIds, CancellationToken cancellationToken)
    {
        var tenants = new Dictionary<Auth0TenantAddress, double>();
        foreach (var connectionId in connectionIds.Distinct())
        {
            try
            {
                var resolved = await resolver.ResolveAsync(connectionId, cancellationToken);
                tenants[resolved.Settings.Tenant] = auth0Options.CurrentValue.ManagementBudgetFor(resolved.Settings.Tenant).RequestsPerSecond;
            }
            catch (ConnectionNotFoundException)
            {
                // Deleted meanwhile: its rotations went with it, and their items fail on their own.
            }
        }

        var rate = tenants.Count == 0 ? auth0Options.CurrentValue.ManagementRequestsPerSecondPerTenant : tenants.Values.Sum();
        return (rate, bulkOptions.Value.RunsInFlightFor(rate));
    }
}
