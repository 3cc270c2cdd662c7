using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace RotationDashboard.Auth0.Tests.Infrastructure;

/// <summary>The real DI wiring (AddAuth0Client) with fast retry delays and a capturing logger.</summary>
public sealed class Auth0TestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public Auth0TestHost(Action<Auth0ClientOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        // Only the Auth0 client's own events: the resilience library's telemetry (category "Polly") reuses event ids.
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace).AddFilter("Polly", LogLevel.None));
        if (timeProvider is not null)
            services.AddSingleton(timeProvider);
        services.AddAuth0Client(options =>
        {
            options.BaseDelay = TimeSpan.FromMilliseconds(1);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
            options.ManagementRequestsPerSecondPerTenant = 1000;
            options.ManagementBurstPerTenant = 1000;
            options.MaxConcurrentRequestsPerTenant = 16;
            configure?.Invoke(options);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeLogCollector Logs { get; } = new();

    public IServiceProvider Services => _services;

    public IAuth0ManagementClientFactory Factory => _services.GetRequiredService<IAuth0ManagementClientFactory>();

    public IAuth0TokenClient TokenClient => _services.GetRequiredService<IAuth0TokenClient>();

    public Auth0CredentialVerifier Verifier => _services.GetRequiredService<Auth0CredentialVerifier>();

    public ClientAssertionFactory Assertions => _services.GetRequiredService<ClientAssertionFactory>();

    public IAuth0ManagementClient ClientFor(FakeAuth0Server server, string clientId = "mgmt-client", string secret = "mgmt-secret-value-1234567890")
    {
        server.ClientSecrets[clientId] = secret;
        return Factory.Create(new Auth0ConnectionSettings(server.Tenant, clientId, secret));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
