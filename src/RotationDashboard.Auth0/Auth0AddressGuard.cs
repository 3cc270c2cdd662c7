using System.Net;
using System.Net.Sockets;

namespace RotationDashboard.Auth0;

/// <summary>Where an IP address points, as far as outbound-request (SSRF) policy is concerned.</summary>
public enum AddressScope
{
    Public,
    Loopback,
    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique-local (fc00::/7, deprecated fec0::/10).</summary>
    Private,
    /// <summary>169.254/16 (cloud metadata endpoints live here) and fe80::/10.</summary>
    LinkLocal,
    /// <summary>100.64/10, carrier-grade NAT; often routes to internal infrastructure.</summary>
    SharedAddressSpace,
    /// <summary>0.0.0.0/8 and ::, which connect to the local host on most systems.</summary>
    Unspecified,
    Multicast,
    /// <summary>240/4, broadcast, benchmarking and documentation ranges: never a real Auth0 tenant.</summary>
    Reserved,
}

/// <summary>The addresses a host resolved to and which of them are not public.</summary>
public sealed record Auth0AddressCheck(
    string Host,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<(IPAddress Address, AddressScope Scope)> NonPublicAddresses)
{
    /// <summary>True when the host resolved and every address is public.</summary>
    public bool IsPublic => Addresses.Count > 0 && NonPublicAddresses.Count == 0;

    /// <summary>
    /// What the check found, naming the kinds of address but never the resolved addresses themselves: the text reaches
    /// users and API callers, who should not learn the internal network's layout from it.
    /// </summary>
    public string Describe() => IsPublic
        ? $"'{Host}' resolves to public addresses only."
        : Addresses.Count == 0
            ? $"'{Host}' did not resolve to any address."
            : $"'{Host}' resolves to non-public addresses ({string.Join(", ", NonPublicScopes)}).";

    /// <summary>The distinct kinds of non-public address found, in a stable order.</summary>
    public IReadOnlyList<AddressScope> NonPublicScopes => NonPublicAddresses.Select(a => a.Scope).Distinct().Order().ToList();
}

/// <summary>
/// Tells whether a tenant host points into a private network (SSRF). The policy (refuse, or allow for the
/// sandbox or an explicitly configured private tenant) belongs to the caller. DNS can change between this check
/// and the connection, so callers that must be strict should also check the connected address.
/// </summary>
public static class Auth0AddressGuard
{
    public static AddressScope Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        if (address.IsIPv4MappedToIPv6)
            return Classify(address.MapToIPv4());

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyIPv4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ClassifyIPv6(address),
            _ => AddressScope.Reserved,
        };
    }

    public static bool IsPublic(IPAddress address) => Classify(address) == AddressScope.Public;

    /// <summary>Resolves a host name to its addresses (the system resolver unless a test or caller provides another).</summary>
    public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

    private static readonly HostResolver SystemResolver = (host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>Resolves <paramref name="host"/> (an IP literal is not looked up) and classifies every address.</summary>
    public static Task<Auth0AddressCheck> CheckHostAsync(string host, CancellationToken cancellationToken = default) =>
        CheckHostAsync(host, SystemResolver, cancellationToken);

    /// <summary>Resolves <paramref name="host"/> with <paramref name="resolve"/> (an IP literal is not looked up) and classifies every address.</summary>
    public static async Task<Auth0AddressCheck> CheckHostAsync(string host, HostResolver resolve, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var literal = host.Trim('[', ']');

        IPAddress[] addresses;
        if (IPAddress.TryParse(literal, out var ip))
        {
            addresses = [ip];
        }
        else
        {
            try
            {
                addresses = await resolve(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                addresses = [];
            }
        }

        return Check(host, addresses);
    }

    public static Task<Auth0AddressCheck> CheckAsync(Auth0TenantAddress tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return CheckHostAsync(tenant.Host, cancellationToken);
    }

    public static Auth0AddressCheck Check(string host, IReadOnlyList<IPAddress> addresses)
    {
        var nonPublic = addresses
            .Select(a => (Address: a, Scope: Classify(a)))
            .Where(a => a.Scope != AddressScope.Public)
            .ToList();
        return new Auth0AddressCheck(host, addresses, nonPublic);
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects only to public addresses, unless
    /// <paramref name="isNonPublicHostAllowed"/> exempts the host. Refusals surface as an
    /// <see cref="HttpRequestException"/> whose inner exception is <see cref="Auth0AddressRefusedException"/>.
    /// </summary>
    /// The handler must not use a proxy (<see cref="SocketsHttpHandler.UseProxy"/> false): through a proxy this callback
    /// would check the proxy's address, not the tenant's.
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CreateConnectCallback(
        Func<string, bool> isNonPublicHostAllowed,
        HostResolver? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(isNonPublicHostAllowed);
        resolve ??= SystemResolver;
        return async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var check = await CheckHostAsync(host, resolve, cancellationToken).ConfigureAwait(false);
            if (!check.IsPublic && check.Addresses.Count > 0 && !isNonPublicHostAllowed(host))
                throw new Auth0AddressRefusedException(check);

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // Connect to exactly the addresses that were checked.
                await socket.ConnectAsync(check.Addresses.ToArray(), context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    private static AddressScope ClassifyIPv4(byte[] b) => b switch
    {
        [0, ..] => AddressScope.Unspecified,
        [10, ..] => AddressScope.Private,
        [100, >= 64 and <= 127, ..] => AddressScope.SharedAddressSpace,
        [127, ..] => AddressScope.Loopback,
        [169, 254, ..] => AddressScope.LinkLocal,
        [172, >= 16 and <= 31, ..] => AddressScope.Private,
        [192, 0, 0, _] => AddressScope.Reserved,         // IETF protocol assignments
        [192, 0, 2, _] => AddressScope.Reserved,         // TEST-NET-1
        [192, 168, ..] => AddressScope.Private,
        [198, 18 or 19, ..] => AddressScope.Reserved,    // benchmarking
        [198, 51, 100, _] => AddressScope.Reserved,      // TEST-NET-2
        [203, 0, 113, _] => AddressScope.Reserved,       // TEST-NET-3
        [>= 224 and <= 239, ..] => AddressScope.Multicast,
        [>= 240, ..] => AddressScope.Reserved,           // includes 255.255.255.255
        _ => AddressScope.Public,
    };

    private static AddressScope ClassifyIPv6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any))
            return AddressScope.Unspecified;
        if (address.Equals(IPAddress.IPv6Loopback))
            return AddressScope.Loopback;

        var b = address.GetAddressBytes();

        // Addresses that embed an IPv4 address are judged by it: IPv4-compatible (::a.b.c.d), IPv4-translated
        // (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            return ClassifyIPv4(b[12..16]);
        if (b is [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, ..])
            return ClassifyIPv4(b[12..16]);
        // Local-use NAT64 (64:ff9b:1::/48) translates into the operator's own, usually private, IPv4 network.
        if (b is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
            return AddressScope.Private;
        // Teredo (2001::/32) tunnels to an IPv4 host through a relay: never a real Auth0 tenant.
        if (b is [0x20, 0x01, 0x00, 0x00, ..])
            return AddressScope.Reserved;
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
            return ClassifyIPv4(b[12..16]);
        if (b is [0x20, 0x02, ..])
            return ClassifyIPv4(b[2..6]);

        return b switch
        {
            [>= 0xfc and <= 0xfd, ..] => AddressScope.Private,                   // fc00::/7
            [0xfe, >= 0x80 and <= 0xbf, ..] => AddressScope.LinkLocal,           // fe80::/10
            [0xfe, >= 0xc0, ..] => AddressScope.Private,                         // fec0::/10 site-local
            [0xff, ..] => AddressScope.Multicast,
            [0x20, 0x01, 0x0d, 0xb8, ..] => AddressScope.Reserved,               // documentation
            [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..] => AddressScope.Reserved,         // discard-only 100::/64
            _ => AddressScope.Public,
        };
    }
}

/// <summary>An outbound Auth0 connection refused because the host resolves to non-public addresses.</summary>
public sealed class Auth0AddressRefusedException(Auth0AddressCheck check)
    : Exception($"Refusing to connect to Auth0 at {check.Describe()} Allow the host explicitly if this is intended (sandbox or private tenant).")
{
    public Auth0AddressCheck Check { get; } = check;
}
