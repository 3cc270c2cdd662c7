using Microsoft.Extensions.Options;
using RotationDashboard.Auth0;
using RotationDashboard.Web.Services.Connections;

namespace RotationDashboard.Web.Notifications;

/// <summary>
/// Channel addresses obey the Auth0 tenants' outbound rules: a host that resolves to a loopback, private, link-local
/// or otherwise non-public address is refused unless listed in <c>Auth0Client:AllowedNonPublicHosts</c>. Checked when a
/// channel is saved, and again at connect time by the delivery client (DNS can change in between).
/// </summary>
public sealed class NotificationAddressPolicy(IOptions<ConnectionsOptions> options)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    public bool IsAllowedNonPublic(string host) =>
        options.Value.AllowedNonPublicHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Null when the host may be contacted; otherwise a message for the user.</summary>
    public async Task<string?> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        host = host.Trim('[', ']');
        if (IsAllowedNonPublic(host)) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        Auth0AddressCheck check;
        try
        {
            check = await Auth0AddressGuard.CheckHostAsync(host, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // the connect-time guard still checks the address actually used
        }

        if (check.IsPublic || check.Addresses.Count == 0) return null;
        return $"Refusing '{host}': it resolves to a non-public address. To allow a private host on purpose, list it under Auth0Client:AllowedNonPublicHosts.";
    }

    /// <summary>Checks an http(s) URL: scheme, no credentials in it, then its host.</summary>
    public async Task<string?> CheckUrlAsync(string? url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Enter an absolute http(s) URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The URL must not contain a user name or password.";
        return await CheckHostAsync(uri.IdnHost, cancellationToken);
    }
}
