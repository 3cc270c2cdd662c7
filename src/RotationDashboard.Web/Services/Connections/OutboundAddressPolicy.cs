using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// The outbound address guard (SSRF) for connections to real tenants: a tenant host that resolves to a loopback,
/// private, link-local or otherwise non-public address is refused, unless listed in
/// <c>Auth0Client:AllowedNonPublicHosts</c>. The sandbox connection never comes here. DNS can change between this
/// check and the request; the Auth0 client's connect-time guard (<see cref="Auth0ClientOptions.BlockNonPublicAddresses"/>)
/// checks the address actually connected to.
/// </summary>
public sealed partial class OutboundAddressPolicy(IOptions<ConnectionsOptions> options, ILogger<OutboundAddressPolicy> logger)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when the tenant may be contacted; otherwise a message for the user that says what to do.</summary>
    public async Task<string?> CheckAsync(Auth0TenantAddress tenant, CancellationToken cancellationToken = default)
    {
        var host = tenant.Host.Trim('[', ']');
        if (options.Value.AllowedNonPublicHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        Auth0AddressCheck check;
        try
        {
            check = await Auth0AddressGuard.CheckAsync(tenant, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A slow resolver is not a verdict; the connect-time guard still checks the address actually used.
            return null;
        }

        // A host that does not resolve cannot be reached at all; the request itself will say so.
        if (check.IsPublic || check.Addresses.Count == 0)
        {
            return null;
        }

        // The operator's log has the addresses; the user's message names only their kind (no internal network layout).
        LogRefused(logger, host, string.Join(", ", check.NonPublicAddresses.Select(a => $"{a.Address} ({a.Scope})")));
        var kinds = string.Join(", ", check.NonPublicScopes.Select(Describe));
        return $"Refusing to connect to '{host}': it resolves to a non-public address ({kinds}). A real Auth0 tenant is on public addresses. " +
               "For the built-in sandbox, turn on \"Built-in sandbox tenant\"; to allow a private tenant on purpose, list the host " +
               "under Auth0Client:AllowedNonPublicHosts.";
    }

    private static string Describe(AddressScope scope) => scope switch
    {
        AddressScope.Loopback => "loopback",
        AddressScope.Private => "private network",
        AddressScope.LinkLocal => "link-local",
        AddressScope.SharedAddressSpace => "carrier-grade NAT",
        AddressScope.Unspecified => "unspecified",
        AddressScope.Multicast => "multicast",
        _ => "reserved",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an Auth0 connection to {Host}: non-public addresses {Addresses}")]
    private static partial void LogRefused(ILogger logger, string host, string addresses);
}
