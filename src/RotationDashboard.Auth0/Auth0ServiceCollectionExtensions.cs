using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0.Http;

namespace RotationDashboard.Auth0;

public static class Auth0ServiceCollectionExtensions
{
    /// <summary>The named HttpClient every Auth0 call goes through (tests and benchmarks add handlers to it).</summary>
    public const string HttpClientName = "RotationDashboard.Auth0";

    /// <summary>Registers the Auth0 clients with options bound from <paramref name="configuration"/> (e.g. the "Auth0Client" section).</summary>
    public static IServiceCollection AddAuth0Client(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddAuth0ClientCore(builder => builder.Bind(configuration));
    }

    /// <summary>Registers the Auth0 clients, optionally adjusting <see cref="Auth0ClientOptions"/>.</summary>
    public static IServiceCollection AddAuth0Client(this IServiceCollection services, Action<Auth0ClientOptions>? configure = null) =>
        services.AddAuth0ClientCore(builder =>
        {
            if (configure is not null)
                builder.Configure(configure);
        });

    private static IServiceCollection AddAuth0ClientCore(this IServiceCollection services, Action<OptionsBuilder<Auth0ClientOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<Auth0ClientOptions>();
        configure(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Auth0ClientOptions>, Auth0ClientOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        services.AddHttpClient(HttpClientName, client =>
            {
                // Per-attempt timeouts are the pipeline's (Auth0ClientOptions.RequestTimeout); HttpClient's must not cut in first.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = 16 * 1024 * 1024;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("RotationDashboard/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = new SocketsHttpHandler
                {
                    // A redirect could carry a secret-bearing form to another host; Auth0 never redirects these calls.
                    AllowAutoRedirect = false,
                    // A system proxy (HTTP_PROXY, HTTPS_PROXY) would be the address the SSRF guard checks and connects to,
                    // and would see every credential: Auth0 calls go direct.
                    UseProxy = false,
                    AutomaticDecompression = DecompressionMethods.All,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectTimeout = TimeSpan.FromSeconds(15),
                };
                var options = sp.GetRequiredService<IOptions<Auth0ClientOptions>>().Value;
                if (options.BlockNonPublicAddresses)
                {
                    var allowed = options.AllowedNonPublicHosts.Select(h => h.Trim().Trim('[', ']'))
                        .ToHashSet(StringComparer.OrdinalIgnoreCase);
                    handler.ConnectCallback = Auth0AddressGuard.CreateConnectCallback(host => allowed.Contains(host.Trim('[', ']')));
                }

                return handler;
            })
            // HttpClient's own trace logs carry the raw request headers (a Management API bearer token) in their
            // structured state; Auth0Log records method, path, status and timing instead.
            .RemoveAllLoggers()
            .AddAuth0Pipeline();

        services.TryAddSingleton<Auth0ClientRuntime>();
        services.TryAddSingleton<IAuth0ManagementClientFactory>(sp =>
            new Auth0ManagementClientFactory(sp.GetRequiredService<Auth0ClientRuntime>()));
        services.TryAddSingleton<IAuth0TokenClient>(sp => new Auth0TokenClient(sp.GetRequiredService<Auth0ClientRuntime>()));
        services.TryAddSingleton(sp => new ClientAssertionFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<Auth0CredentialVerifier>();
        return services;
    }
}
