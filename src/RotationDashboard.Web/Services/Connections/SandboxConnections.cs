using System.Net;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Connections;
using RotationDashboard.Web.Hosting;

namespace RotationDashboard.Web.Services.Connections;

/// <summary>
/// Knows where the built-in sandbox tenant lives (inside this app, at <see cref="SandboxIntegration.MountPath"/>) and
/// recognises its address, so a connection to it can be made without typing anything and is exempt from the
/// outbound address guard (the sandbox is on loopback by nature).
/// </summary>
public sealed class SandboxConnections(IOptions<SandboxIntegrationOptions> options, LocalServerAddress localServer)
{
    /// <summary>The name of the connection created at start-up when the sandbox is enabled.</summary>
    public const string DefaultConnectionName = "sandbox-tenant";

    /// <summary>Stored domain of a sandbox connection made before the app knew its own address; never contacted as such.</summary>
    public static readonly string PlaceholderDomain = $"http://{LocalServerRedirectHandler.PlaceholderHost}{SandboxIntegration.MountPath}";

    public bool IsEnabled => options.Value.Enabled;

    /// <summary>Where the app reaches its sandbox now (<c>http://127.0.0.1:5080/sandbox-tenant/</c>); null before the server listens.</summary>
    public Uri? TryGetBaseUri() =>
        options.Value.SharedTenantBase ?? (localServer.TryGet() is { } local ? new Uri(local, SandboxIntegration.MountPath.TrimStart('/') + "/") : null);

    /// <summary>The domain to show for a sandbox connection: its current address, or the placeholder before start-up.</summary>
    public string CurrentDomain => TryGetBaseUri()?.AbsoluteUri.TrimEnd('/') ?? PlaceholderDomain;

    /// <summary>True when <paramref name="path"/> is the sandbox's mount path (a sandbox connection's domain must end with it).</summary>
    public static bool HasSandboxPath(string? domain) =>
        TenantUrl.TryParseBase(domain, out var baseUri, out _) &&
        string.Equals(baseUri.AbsolutePath.TrimEnd('/'), SandboxIntegration.MountPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when <paramref name="domain"/> is this app's sandbox: the mount path on this app's own address, on a
    /// loopback name with this app's port, or on the placeholder host.
    /// </summary>
    public bool IsSandboxAddress(string? domain)
    {
        if (!IsEnabled || !HasSandboxPath(domain) || !TenantUrl.TryParseBase(domain, out var baseUri, out _))
        {
            return false;
        }

        if (string.Equals(baseUri.Host, LocalServerRedirectHandler.PlaceholderHost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var local = localServer.TryGet();
        if (local is null)
        {
            return false;
        }

        var host = baseUri.Host.Trim('[', ']');
        var sameHost = string.Equals(host, local.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        return sameHost && baseUri.Port == local.Port;
    }
}
