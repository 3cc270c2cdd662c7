using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationDashboard.Auth0;
using RotationDashboard.Web.Application.Connections;

namespace RotationDashboard.Web.Services.Connections;

public static class ConnectionsHostingExtensions
{
    /// <summary>
    /// Registers the connections feature: its use cases (Application/Connections), the stored-connection resolver, the sandbox
    /// connection, the outbound address guard and options <c>Connections</c>. Unless
    /// <c>Auth0Client:BlockNonPublicAddresses</c> is set explicitly, the Auth0 client's connect-time guard is turned on,
    /// exempting the hosts in <c>Auth0Client:AllowedNonPublicHosts</c> and, when the sandbox is enabled, loopback.
    /// </summary>
    public static WebApplicationBuilder AddConnections(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ConnectionsOptions>()
            .Bind(configuration.GetSection(ConnectionsOptions.SectionName))
            .Configure(options => options.AllowedNonPublicHosts =
                configuration.GetSection($"{Auth0ClientOptions.SectionName}:{nameof(Auth0ClientOptions.AllowedNonPublicHosts)}").Get<List<string>>() ?? [])
            .Validate(o => o.ApplicationListCacheDuration >= TimeSpan.Zero && o.ApplicationListCacheDuration <= TimeSpan.FromHours(1),
                "Connections:ApplicationListCacheDuration must be between 00:00:00 and 01:00:00.")
            .ValidateOnStart();

        var blockSetting = configuration[$"{Auth0ClientOptions.SectionName}:{nameof(Auth0ClientOptions.BlockNonPublicAddresses)}"];
        var sandboxEnabled = configuration.GetValue<bool>($"{Hosting.SandboxIntegrationOptions.SectionName}:{nameof(Hosting.SandboxIntegrationOptions.Enabled)}");
        services.PostConfigure<Auth0ClientOptions>(options =>
        {
            if (blockSetting is null)
            {
                options.BlockNonPublicAddresses = true;
            }

            if (sandboxEnabled)
            {
                // The sandbox is this app, reached on its own loopback address.
                foreach (var host in new[] { "127.0.0.1", "::1", "localhost" })
                {
                    if (!options.AllowedNonPublicHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
                    {
                        options.AllowedNonPublicHosts.Add(host);
                    }
                }
            }
        });

        services.AddSingleton<IAuth0ConnectionResolver, Auth0ConnectionResolver>();
        services.AddSingleton<SandboxConnections>();
        services.AddSingleton<SandboxConnectionSeeder>();
        services.AddSingleton<OutboundAddressPolicy>();
        services.AddSingleton<ApplicationListCache>();
        services.TryAddSingleton<RotationDashboard.Web.Services.Rotations.ApplicationOwnership>();
        services.AddSingleton<ConnectionForms>();
        services.AddSingleton<ConnectionTester>();
        services.AddSingleton<ConnectionQueries>();
        services.AddSingleton<IConnectionReads>(sp => sp.GetRequiredService<ConnectionQueries>());
        services.AddSingleton<CreateConnection>();
        services.AddSingleton<ICreateConnection>(sp => sp.GetRequiredService<CreateConnection>());
        services.AddSingleton<UpdateConnection>();
        services.AddSingleton<IUpdateConnection>(sp => sp.GetRequiredService<UpdateConnection>());
        services.AddSingleton<DeleteConnection>();
        services.AddSingleton<IDeleteConnection>(sp => sp.GetRequiredService<DeleteConnection>());
        services.AddSingleton<ValidateConnection>();
        services.AddSingleton<IValidateConnection>(sp => sp.GetRequiredService<ValidateConnection>());
        services.AddSingleton<TestConnectionDraft>();
        services.AddSingleton<ITestConnectionDraft>(sp => sp.GetRequiredService<TestConnectionDraft>());
        services.AddSingleton<ListApplications>();
        services.AddSingleton<IListApplications>(sp => sp.GetRequiredService<ListApplications>());
        return builder;
    }

    /// <summary>Creates the sandbox connection when the sandbox is enabled. Call after the database is initialised.</summary>
    public static Task EnsureSandboxConnectionAsync(this IHost host, CancellationToken cancellationToken = default) =>
        host.Services.GetRequiredService<SandboxConnectionSeeder>().EnsureAsync(cancellationToken);
}
