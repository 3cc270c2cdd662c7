using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RotationDashboard.Web.Application.Rotations.Bulk;

public static class BulkRotationServiceCollectionExtensions
{
    /// <summary>Bulk rotation and onboarding: options <c>BulkRotation</c> (validated at start), the use cases and the runner.</summary>
    public static IServiceCollection AddBulkRotations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BulkRotationOptions>().Bind(configuration.GetSection(BulkRotationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BulkRotationOptions>, BulkRotationOptionsValidator>());
        services.TryAddSingleton<BulkOperationRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<BulkOperationRunner>());
        services.TryAddSingleton<TenantBudgets>();
        services.TryAddSingleton<StartBulkRotation>();
        services.TryAddSingleton<OnboardApplications>();
        services.TryAddSingleton<GetBulkOperation>();
        return services;
    }
}
