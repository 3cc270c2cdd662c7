using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationDashboard.Auth0.Http;
using RotationDashboard.Auth0.Management;
using RotationDashboard.Auth0.Tokens;

namespace RotationDashboard.Auth0;

/// <summary>The application-wide pieces every Auth0 client shares: HTTP executor, per-tenant limiters, token cache.</summary>
internal sealed class Auth0ClientRuntime
{
    public Auth0ClientRuntime(
        IHttpClientFactory httpClientFactory,
        IOptionsMonitor<Auth0ClientOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        Options = options.CurrentValue;
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("RotationDashboard.Auth0");
        // Budgets follow the configuration as it is reloaded; the other settings are read once, at start.
        Limiters = new TenantLimiterRegistry(() => options.CurrentValue, timeProvider);
        Executor = new Auth0HttpExecutor(httpClientFactory, timeProvider);
        Tokens = new ManagementTokenCache(Executor, Limiters, Options, timeProvider, Logger);
    }

    public Auth0ClientOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public TenantLimiterRegistry Limiters { get; }

    public Auth0HttpExecutor Executor { get; }

    public ManagementTokenCache Tokens { get; }
}

internal sealed class Auth0ManagementClientFactory(Auth0ClientRuntime runtime) : IAuth0ManagementClientFactory
{
    public IAuth0ManagementClient Create(Auth0ConnectionSettings connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new Auth0ManagementClient(connection, runtime);
    }
}
