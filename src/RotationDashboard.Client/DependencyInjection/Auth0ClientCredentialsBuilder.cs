using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Client;

/// <summary>Chooses where the credentials of one Auth0 client registration come from.</summary>
public sealed class Auth0ClientCredentialsBuilder
{
    internal Auth0ClientCredentialsBuilder(IServiceCollection services, string name)
    {
        Services = services;
        Name = name;
    }

    public IServiceCollection Services { get; }

    /// <summary>The registration's name (<see cref="Options.DefaultName"/> for the unnamed one); the key of its keyed services.</summary>
    public string Name { get; }

    /// <summary>CURRENT and NEXT from the options' <c>Current</c> and <c>Next</c> sections.</summary>
    public Auth0ClientCredentialsBuilder UseStaticCredentials()
    {
        Services.Configure<Auth0ClientCredentialsOptions>(Name, options =>
        {
            options.SourceKind = CredentialSourceKind.Static;
            options.Dashboard = null;
        });
        return ReplaceSource(Auth0ClientCredentialsServiceCollectionExtensions.CreateStaticSource);
    }

    /// <summary>Credentials from the Rotation Dashboard's consumer read API.</summary>
    /// <param name="apiToken">A dashboard API token with <c>secrets:read</c> on <paramref name="secretPath"/>.</param>
    /// <param name="keys">The secret names; default <see cref="DashboardSecretKeys.ClientSecret"/> (AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET).</param>
    public Auth0ClientCredentialsBuilder UseDashboard(
        Uri dashboardUrl,
        string apiToken,
        string projectId,
        string environment,
        string secretPath = "/",
        DashboardSecretKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(dashboardUrl);
        return UseDashboard(dashboard =>
        {
            dashboard.Url = dashboardUrl;
            dashboard.ApiToken = apiToken;
            dashboard.ProjectId = projectId;
            dashboard.Environment = environment;
            dashboard.SecretPath = secretPath;
            dashboard.UseKeys(keys ?? DashboardSecretKeys.ClientSecret());
        });
    }

    /// <summary>Credentials from the Rotation Dashboard, configured on top of any bound <c>Dashboard</c> section.</summary>
    public Auth0ClientCredentialsBuilder UseDashboard(Action<DashboardCredentialSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<Auth0ClientCredentialsOptions>(Name, options =>
        {
            options.SourceKind = CredentialSourceKind.Dashboard;
            options.Dashboard ??= new DashboardCredentialSourceOptions();
            configure(options.Dashboard);
        });
        return ReplaceSource(Auth0ClientCredentialsServiceCollectionExtensions.CreateDashboardSource);
    }

    /// <summary>Your own <see cref="ICredentialSource"/> (a vault, a file watcher…).</summary>
    public Auth0ClientCredentialsBuilder UseCredentialSource(Func<IServiceProvider, ICredentialSource> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Configure<Auth0ClientCredentialsOptions>(Name, options => options.SourceKind = CredentialSourceKind.Custom);
        return ReplaceSource((services, _) => factory(services));
    }

    private Auth0ClientCredentialsBuilder ReplaceSource(Func<IServiceProvider, string, ICredentialSource> factory)
    {
        Services.RemoveAllKeyed<ICredentialSource>(Name);
        Services.AddKeyedSingleton<ICredentialSource>(Name, (services, _) => factory(services, Name));
        return this;
    }
}
