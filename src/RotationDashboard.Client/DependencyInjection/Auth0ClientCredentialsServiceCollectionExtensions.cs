using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Client;

public static class Auth0ClientCredentialsServiceCollectionExtensions
{
    /// <summary>
    /// Registers an Auth0 client-credentials token provider (<see cref="IAuth0TokenProvider"/>) bound to
    /// <paramref name="configuration"/> (e.g. the <c>Auth0Client</c> section). Credentials come from the section's
    /// <c>Dashboard</c> settings when present, else from <c>Current</c>/<c>Next</c>; the builder can choose explicitly.
    /// Options are validated at start-up.
    /// </summary>
    public static Auth0ClientCredentialsBuilder AddAuth0ClientCredentials(this IServiceCollection services, IConfiguration configuration) =>
        services.AddAuth0ClientCredentials(Options.DefaultName, configuration);

    public static Auth0ClientCredentialsBuilder AddAuth0ClientCredentials(this IServiceCollection services, Action<Auth0ClientCredentialsOptions> configure) =>
        services.AddAuth0ClientCredentials(Options.DefaultName, configure);

    /// <summary>A named registration (another application or audience); resolve it as a keyed service with <paramref name="name"/>.</summary>
    public static Auth0ClientCredentialsBuilder AddAuth0ClientCredentials(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddCore(services, name);
        services.AddOptions<Auth0ClientCredentialsOptions>(name).Bind(configuration);
        return builder;
    }

    public static Auth0ClientCredentialsBuilder AddAuth0ClientCredentials(this IServiceCollection services, string name, Action<Auth0ClientCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore(services, name);
        services.AddOptions<Auth0ClientCredentialsOptions>(name).Configure(configure);
        return builder;
    }

    /// <summary>The named HttpClient that sends the token requests of registration <paramref name="name"/> (configure proxies etc. on it).</summary>
    public static string TokenHttpClientName(string name) => "RotationDashboard.Client.Auth0Token" + (name.Length == 0 ? "" : ":" + name);

    /// <summary>The named HttpClient that reads the dashboard for registration <paramref name="name"/>.</summary>
    public static string DashboardHttpClientName(string name) => "RotationDashboard.Client.Dashboard" + (name.Length == 0 ? "" : ":" + name);

    private static Auth0ClientCredentialsBuilder AddCore(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var alreadyRegistered = services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(IAuth0TokenProvider));
        if (alreadyRegistered)
            throw new InvalidOperationException($"Auth0 client credentials '{name}' are already registered; use another name.");

        services.AddOptions<Auth0ClientCredentialsOptions>(name).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Auth0ClientCredentialsOptions>>(new Auth0ClientCredentialsOptionsValidator(name));
        // HttpClient's built-in loggers keep raw request headers (the dashboard API token) in their structured state.
        services.AddHttpClient(TokenHttpClientName(name)).RemoveAllLoggers();
        services.AddHttpClient(DashboardHttpClientName(name)).RemoveAllLoggers();

        services.AddKeyedSingleton<ICredentialSource>(name, (provider, _) => CreateConfiguredSource(provider, name));
        services.AddKeyedSingleton<IAuth0TokenProvider>(name, (provider, _) =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            var clientName = TokenHttpClientName(name);
            return new Auth0TokenClient(
                () => factory.CreateClient(clientName),
                provider.GetRequiredKeyedService<ICredentialSource>(name),
                GetOptions(provider, name),
                provider.GetService<TimeProvider>(),
                provider.GetService<ILogger<Auth0TokenClient>>());
        });
        if (name == Options.DefaultName)
        {
            services.TryAddSingleton(provider => provider.GetRequiredKeyedService<IAuth0TokenProvider>(name));
            services.TryAddSingleton(provider => provider.GetRequiredKeyedService<ICredentialSource>(name));
        }

        return new Auth0ClientCredentialsBuilder(services, name);
    }

    private static Auth0ClientCredentialsOptions GetOptions(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<Auth0ClientCredentialsOptions>>().Get(name);

    private static ICredentialSource CreateConfiguredSource(IServiceProvider provider, string name) =>
        GetOptions(provider, name).EffectiveSourceKind == CredentialSourceKind.Dashboard
            ? CreateDashboardSource(provider, name)
            : CreateStaticSource(provider, name);

    internal static ICredentialSource CreateStaticSource(IServiceProvider provider, string name) =>
        StaticCredentialSource.FromOptions(GetOptions(provider, name));

    internal static ICredentialSource CreateDashboardSource(IServiceProvider provider, string name)
    {
        var options = GetOptions(provider, name);
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var clientName = DashboardHttpClientName(name);
        return new DashboardCredentialSource(
            () => factory.CreateClient(clientName),
            options.Dashboard ?? throw new InvalidOperationException($"Auth0 client credentials '{name}': Dashboard settings are missing."),
            options.ClientId,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<DashboardCredentialSource>>());
    }
}
