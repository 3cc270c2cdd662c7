using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationDashboard.Web.Application.Connections;
using RotationDashboard.Web.Application.Preferences;
using RotationDashboard.Web.Application.Rotations;

namespace RotationDashboard.Web.Application.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The dashboard's reads (list, counts, pictures) and the per-user theme choice.</summary>
    public static IServiceCollection AddDashboardUseCases(this IServiceCollection services)
    {
        services.TryAddSingleton<IRotationListReads>(provider => provider.GetRequiredService<RotationQueries>());
        services.TryAddSingleton<IConnectionListReads>(provider => provider.GetRequiredService<ConnectionQueries>());
        services.TryAddSingleton<IRunsPerDay, RunsPerDay>();
        services.TryAddSingleton<IUpcomingRotations, UpcomingRotations>();
        services.TryAddSingleton<IThemePreferences, ThemePreferences>();
        return services;
    }
}
