using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationDashboard.Core.Encryption;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Core.Secrets;
using RotationDashboard.Web.Application.Common;
using RotationDashboard.Web.Services.Audit;
using RotationDashboard.Web.Services.Encryption;
using RotationDashboard.Web.Services.Secrets;

namespace RotationDashboard.Web.Data;

public static class PersistenceHostingExtensions
{
    /// <summary>
    /// Registers storage and encryption: options <c>Storage</c>, <c>Encryption</c> and
    /// <c>ConnectionStrings:Default</c> (validated at start-up), the root key ring and <see cref="ISecretProtector"/>,
    /// <see cref="IDbContextFactory{TContext}"/> for <see cref="RotationDashboardDbContext"/> (short-lived contexts
    /// suit Blazor Server), the migrator and seeder, and the application services that sit on them
    /// (<see cref="IAuditLog"/>, <see cref="SecretStoreService"/> / <see cref="IRotationSecretStore"/>).
    /// </summary>
    public static TBuilder AddRotationDashboardPersistence<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<EncryptionOptions>()
            .Bind(builder.Configuration.GetSection(EncryptionOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => DatabaseLocation.Resolve(
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<IConfiguration>().GetConnectionString("Default")));
        services.TryAddSingleton<RootKeyRingLoader>();
        services.TryAddSingleton(sp => sp.GetRequiredService<RootKeyRingLoader>().Load());
        services.TryAddSingleton<ISecretProtector>(sp => new AesGcmSecretProtector(sp.GetRequiredService<RootKeyRing>()));

        services.TryAddSingleton<SecretValueCache>();
        services.TryAddSingleton<SecretCacheInvalidationInterceptor>();
        services.TryAddSingleton<RotationChangeInterceptor>();
        services.AddDbContextFactory<RotationDashboardDbContext>((sp, options) => options.UseRotationDashboardDatabase(
            sp.GetRequiredService<DatabaseLocation>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.BusyTimeoutMilliseconds,
            sp.GetRequiredService<SecretCacheInvalidationInterceptor>(),
            sp.GetRequiredService<RotationChangeInterceptor>()));
        services.AddSingleton<IDataMigration, SecretVersionBindingMigration>();
        services.TryAddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<DatabaseSeeder>();

        services.AddRotationDashboardApplicationServices();
        return builder;
    }

    /// <summary>The application services over the database (called by <see cref="AddRotationDashboardPersistence{TBuilder}"/>).</summary>
    public static IServiceCollection AddRotationDashboardApplicationServices(this IServiceCollection services)
    {
        services.TryAddSingleton(NextRotationCalculator.Default);
        services.TryAddSingleton<IAuditLog, AuditLogService>();
        services.TryAddSingleton<PermissionGuard>();
        services.TryAddSingleton<SecretStoreService>();
        services.TryAddSingleton<RotationDashboard.Web.Application.Secrets.ISecretBrowser>(sp => sp.GetRequiredService<SecretStoreService>());
        services.TryAddSingleton<IProjectDirectory>(sp => sp.GetRequiredService<SecretStoreService>());
        services.TryAddSingleton<IRotationSecretStore, RotationSecretStore>();
        services.TryAddSingleton<ConsumerSecretReads>();
        return services;
    }

    /// <summary>
    /// Loads the root key (failing fast when it is missing or invalid), applies pending migrations and seeds
    /// first-start data. Call once after <c>Build()</c>, before <c>Run()</c>.
    /// </summary>
    public static async Task InitializeDatabaseAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        var services = host.Services;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = services.GetRequiredService<RootKeyRing>();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<DatabaseSeeder>().SeedAsync(cancellationToken);
    }
}
