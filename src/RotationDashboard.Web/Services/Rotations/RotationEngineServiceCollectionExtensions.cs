using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;
using RotationDashboard.Auth0.Rotation;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Scheduling;

namespace RotationDashboard.Web.Services.Rotations;

public static class RotationEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the rotation engine: options <c>RotationEngine</c> (validated at start), the runner and engine,
    /// the EF run store with its lease, the Auth0 credential authority, the in-process <see cref="IRotationRunNotifier"/>,
    /// the rotation use cases and their after-commit <see cref="RotationChangeDispatcher"/>, Quartz (in memory) with one trigger per rotation, and the hosted service that
    /// rebuilds the triggers at start and stops runs cleanly at shutdown. Needs the persistence services, the Auth0
    /// client and <c>IAuth0ConnectionResolver</c> registered too.
    /// </summary>
    public static IServiceCollection AddRotationEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RotationEngineOptions>()
            .Bind(configuration.GetSection(RotationEngineOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationEngineOptions>, RotationEngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // The failed-retry policy is configurable, so the calculator follows the engine's options.
        services.Replace(ServiceDescriptor.Singleton(sp =>
            new NextRotationCalculator(sp.GetRequiredService<IOptions<RotationEngineOptions>>().Value.FailedRetryPolicy)));

        services.TryAddSingleton<IRotationRunNotifier, RotationRunNotifier>();
        services.TryAddSingleton<IRunStore, EfRunStore>();
        services.TryAddSingleton<ICredentialAuthorityFactory, Auth0CredentialAuthorityFactory>();
        services.TryAddSingleton<IKeyPairGenerator, RsaKeyPairGenerator>();
        services.TryAddSingleton<RotationScheduler>();
        services.TryAddSingleton<IRotationFollowUpScheduler>(sp => sp.GetRequiredService<RotationScheduler>());
        services.TryAddSingleton<RotationRunner>();
        services.TryAddSingleton<RotationEngine>();
        services.TryAddSingleton<ApplicationOwnership>();
        services.TryAddSingleton<CredentialRevocation>();
        services.TryAddSingleton<RotationChangeDispatcher>();
        // The use cases the UI and the API share (Application/Rotations): plain classes, one per job.
        services.TryAddSingleton<RotationQueries>();
        services.TryAddSingleton<CheckMappingNames>();
        services.TryAddSingleton<Auth0ApplicationCheck>();
        services.TryAddSingleton<CreateRotation>();
        services.TryAddSingleton<UpdateRotation>();
        services.TryAddSingleton<DeleteRotation>();
        services.TryAddSingleton<RotateNow>();
        services.TryAddSingleton<RevealCredentials>();

        services.AddQuartz(quartz =>
        {
            // In memory: the database is the source of truth and the triggers are rebuilt from it at start. The name
            // is unique because several hosts (tests, benchmarks) can share one process.
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "RotationDashboard-" + Guid.NewGuid().ToString("N")[..8];
                // Runs are resumable: at shutdown they stop at their next step boundary and resume on the next start.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.WhenNotWaitingForJobs;
            });
            quartz.UseDefaultThreadPool(8);
            quartz.UseInMemoryStore(store => store.MisfireThreshold = TimeSpan.FromMinutes(1));
            // Two durable jobs; each trigger carries the rotation id. Quartz builds each firing's job in its own DI scope.
            quartz.AddJob<RotateRotationJob>(job => job.WithIdentity(RotationScheduler.RotateJobKey).StoreDurably());
            quartz.AddJob<ResumeRotationRunJob>(job => job.WithIdentity(RotationScheduler.ResumeJobKey).StoreDurably());
        });
        // Registered before the engine's hosted service, so the scheduler starts before it and stops after it.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = false);
        services.AddHostedService<RotationEngineHostedService>();
        return services;
    }
}
