using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;
using RotationDashboard.Auth0.Rotation;
using RotationDashboard.Core.Rotations.Engine;
using RotationDashboard.Core.Scheduling;
using RotationDashboard.Web.Application.Rotations;
using RotationDashboard.Web.Data;
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
        // Narrow views of the same singletons for the rotation detail page's components (fakes in component tests).
        services.TryAddSingleton<IRotationDetailReads>(sp => sp.GetRequiredService<RotationQueries>());
        services.TryAddSingleton<IRotateNow>(sp => sp.GetRequiredService<RotateNow>());
        services.TryAddSingleton<IRevealCredentials>(sp => sp.GetRequiredService<RevealCredentials>());
        services.TryAddSingleton<IDeleteRotation>(sp => sp.GetRequiredService<DeleteRotation>());
        services.TryAddSingleton<IUpdateRotation>(sp => sp.GetRequiredService<UpdateRotation>());
        services.TryAddSingleton<IRotationRunDurations, RotationRunDurations>();

        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var clustered = storage.Provider == DatabaseProvider.PostgreSql;
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                // Runs are resumable: at shutdown they stop at their next step boundary and resume on the next start.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.WhenNotWaitingForJobs;
                scheduler.InstanceName = clustered
                    ? ClusteredSchedulerName(configuration.GetConnectionString("Default"))
                    // In memory, the name only has to be unique: several hosts (tests, benchmarks) can share one process.
                    : "RotationDashboard-" + Guid.NewGuid().ToString("N")[..8];
                if (clustered)
                {
                    // How long an idle instance waits before asking the database for due triggers again: a trigger
                    // scheduled by another instance, or left by a dead one, is seen within this time.
                    scheduler.IdleWaitTime = TimeSpan.FromSeconds(5);
                }
            });
            quartz.UseDefaultThreadPool(8);
            if (clustered)
            {
                UseClusteredStore(quartz, configuration.GetConnectionString("Default")!);
            }
            else
            {
                // In memory: the database is the source of truth and the triggers are rebuilt from it at start.
                quartz.UseInMemoryStore(store => store.MisfireThreshold = TimeSpan.FromMinutes(1));
            }

            // Two durable jobs; each trigger carries the rotation id. Quartz builds each firing's job in its own DI scope.
            // RequestRecovery: a firing on an instance that dies is fired again by another (the engine's lease makes
            // that safe; the engine resumes the run instead of starting a second one).
            quartz.AddJob<RotateRotationJob>(job => job.WithIdentity(RotationScheduler.RotateJobKey).StoreDurably().RequestRecovery());
            quartz.AddJob<ResumeRotationRunJob>(job => job.WithIdentity(RotationScheduler.ResumeJobKey).StoreDurably().RequestRecovery());
            if (clustered)
            {
                // Runs a dead instance left behind (its lease expired) are found by any live instance, not only at a start.
                quartz.AddJob<OrphanedRunSweepJob>(job => job.WithIdentity(OrphanedRunSweepJob.Key).StoreDurably());
                quartz.AddTrigger(trigger => trigger
                    .WithIdentity(OrphanedRunSweepJob.TriggerKey)
                    .ForJob(OrphanedRunSweepJob.Key)
                    .StartNow()
                    .WithSimpleSchedule(schedule => schedule
                        .WithInterval(storage.OrphanSweepInterval)
                        .RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
        });
        // Registered before the engine's hosted service, so the scheduler starts before it and stops after it.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = false);
        services.AddHostedService<RotationEngineHostedService>();
        if (clustered)
        {
            // Secret cache invalidations and live run updates reach the other instances (cluster_events, polled).
            services.TryAddSingleton<Hosting.Cluster.ClusterEventRelay>();
            services.AddHostedService(sp => sp.GetRequiredService<Hosting.Cluster.ClusterEventRelay>());
        }
        return services;
    }

    /// <summary>
    /// Quartz's clustered ADO.NET job store on the dashboard's PostgreSQL database (tables from migration 0011).
    /// <list type="bullet">
    /// <item>Check-in every 5 s, declared dead 10 s past a missed check-in: a crashed instance's fired triggers are
    /// recovered by another within ~15 s; a shorter interval would mostly add writes, a longer one delays recovery.</item>
    /// <item>Misfire threshold 30 s: a trigger late by less than that (a busy thread pool, a recovery) simply fires;
    /// a later one is handled by its misfire instruction, which for every rotation and resume trigger is
    /// <c>FireNow</c> (an overdue rotation must still run, once: the engine checks it is due under the lease).</item>
    /// <item>Jobs request recovery; the engine's database lease still guarantees one run per rotation.</item>
    /// </list>
    /// </summary>
    private static void UseClusteredStore(IQuartzBuilder quartz, string connectionString)
    {
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(connectionString);
            store.UseSystemTextJsonSerializer();
            store.UseClustering(cluster =>
            {
                cluster.CheckinInterval = TimeSpan.FromSeconds(5);
                cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(10);
            });
            store.ConfigureStore(options =>
            {
                options.MisfireThreshold = TimeSpan.FromSeconds(30);
                options.AcquireTriggersWithinLock = true;
            });
        });
    }

    /// <summary>One scheduler name per database: every instance on it joins the same cluster.</summary>
    internal static string ClusteredSchedulerName(string? connectionString)
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
        return "RotationDashboard" + (string.IsNullOrEmpty(database) ? "" : "-" + database);
    }
}
