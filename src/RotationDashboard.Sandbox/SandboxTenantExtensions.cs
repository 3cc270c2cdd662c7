using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationDashboard.Sandbox.Http;

namespace RotationDashboard.Sandbox;

public static class SandboxTenantExtensions
{
    /// <summary>
    /// Registers the sandbox tenant (a singleton <see cref="SandboxTenant"/>), its options with validation at start,
    /// and <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// Bind configuration with <c>services.Configure&lt;SandboxTenantOptions&gt;(section)</c> before or after this call.
    /// </summary>
    public static IServiceCollection AddSandboxTenant(this IServiceCollection services, Action<SandboxTenantOptions>? configure = null)
    {
        var options = services.AddOptions<SandboxTenantOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxTenantOptions>, SandboxTenantOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SandboxTenant>();
        return services;
    }

    /// <summary>
    /// Mounts the tenant at <paramref name="pathPrefix"/> (e.g. <c>/sandbox-tenant</c>; <c>""</c> for the root).
    /// Its base URL is then <c>{scheme}://{host}{PathBase}{pathPrefix}/</c>, computed per request: the token endpoint is
    /// <c>{base}oauth/token</c>, the Management API and its audience <c>{base}api/v2/</c>, the client-assertion audience
    /// <c>{base}</c>. The endpoints allow anonymous access (they do their own authentication).
    /// </summary>
    public static RouteGroupBuilder MapSandboxTenant(this IEndpointRouteBuilder endpoints, string pathPrefix)
    {
        ArgumentNullException.ThrowIfNull(pathPrefix);
        var mount = new TenantMount(pathPrefix);
        var group = endpoints.MapGroup(mount.Prefix.Length == 0 ? "" : mount.Prefix);
        group.AllowAnonymous();
        group.ExcludeFromDescription();
        group.DisableAntiforgery();
        group.AddEndpointFilter(async (invocation, next) =>
        {
            try
            {
                return await next(invocation);
            }
            catch (BadHttpRequestException exception)
            {
                // A body over the size limit or cut short is the caller's error (413, 400), as Auth0 answers it.
                return SandboxHttp.ManagementError(exception.StatusCode, exception.Message, null);
            }
        });

        AuthenticationEndpoints.Map(group, mount);
        ManagementEndpoints.Map(group, mount);
        AdminEndpoints.Map(group);
        return group;
    }
}
