using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Api.Infisical;

/// <summary>What Infisical's own clients call: Universal Auth, machine identities and the secrets read API.</summary>
public static class InfisicalCompatibility
{
    public static IServiceCollection AddInfisicalCompatibility(this IServiceCollection services)
    {
        services.AddSingleton<InfisicalSecretReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapInfisicalCompatibilityApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapUniversalAuthApi().MapMachineIdentityApi().MapInfisicalSecretApi();
}
