using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace RotationDashboard.Web.Hosting;

/// <summary>
/// The loopback address this app listens on, for calls the app makes to itself (the built-in sandbox tenant).
/// Known only once the server has started, so it is read on use, never cached at start-up.
/// </summary>
public sealed class LocalServerAddress(IServer server)
{
    public Uri? TryGet()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                    ?? addresses?.FirstOrDefault();
        if (first is null) return null;

        // Wildcard bindings ("http://+:5000", "http://[::]:5000", "http://0.0.0.0:5000") are reached on loopback.
        var normalized = first.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")
            .Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1");
        return Uri.TryCreate(normalized.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }

    public Uri Get() => TryGet() ?? throw new InvalidOperationException(
        "The dashboard's own address is not known (the server has not started or listens on no HTTP address).");
}

/// <summary>
/// Sends requests addressed to <see cref="PlaceholderHost"/> to the app's own loopback address, so that options
/// built before the server starts (OAuth endpoints, the sandbox connection) can still point at the app itself.
/// </summary>
public sealed class LocalServerRedirectHandler(LocalServerAddress address) : DelegatingHandler
{
    public const string PlaceholderHost = "dashboard.internal";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && string.Equals(uri.Host, PlaceholderHost, StringComparison.OrdinalIgnoreCase))
        {
            var local = address.Get();
            request.RequestUri = new UriBuilder(uri) { Scheme = local.Scheme, Host = local.Host, Port = local.Port }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
