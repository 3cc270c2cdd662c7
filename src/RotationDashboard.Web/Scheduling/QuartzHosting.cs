using System.Collections.Specialized;
using Quartz;
using Quartz.Impl;
using Quartz.Spi;

namespace RotationDashboard.Web.Scheduling;

/// <summary>
/// Quartz core without Quartz.Extensions.Hosting (not served here): this hosted service owns the scheduler's
/// lifetime, and <see cref="ScopedJobFactory"/> resolves each job from its own DI scope.
/// </summary>
public sealed class QuartzHostedService(ISchedulerFactory schedulerFactory, IJobFactory jobFactory, ILogger<QuartzHostedService> logger)
    : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        _scheduler.JobFactory = jobFactory;
        await _scheduler.Start(cancellationToken);
        logger.LogInformation("Scheduler {SchedulerName} started", _scheduler.SchedulerName);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null) return;
        // Running jobs get the shutdown signal through their CancellationToken; runs are resumable, so no waiting.
        await _scheduler.Shutdown(waitForJobsToComplete: false, cancellationToken);
        logger.LogInformation("Scheduler stopped");
    }
}

public sealed class ScopedJobFactory(IServiceProvider services) : IJobFactory
{
    public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler)
    {
        var scope = services.CreateAsyncScope();
        var job = (IJob)ActivatorUtilities.CreateInstance(scope.ServiceProvider, bundle.JobDetail.JobType);
        return new ScopedJob(scope, job);
    }

    public void ReturnJob(IJob job)
    {
        if (job is ScopedJob scoped) scoped.DisposeScope();
    }

    private sealed class ScopedJob(AsyncServiceScope scope, IJob inner) : IJob
    {
        public Task Execute(IJobExecutionContext context) => inner.Execute(context);

        public void DisposeScope() => scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

public static class QuartzServiceCollectionExtensions
{
    /// <summary>An in-memory (RAM) Quartz scheduler: the database is the source of truth and the triggers are rebuilt from it at start.</summary>
    public static IServiceCollection AddQuartzScheduler(this IServiceCollection services, string instanceName = "RotationDashboard")
    {
        services.AddSingleton<ISchedulerFactory>(_ => new StdSchedulerFactory(new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = instanceName + "-" + Guid.NewGuid().ToString("N")[..8],
            ["quartz.threadPool.maxConcurrency"] = "8",
            ["quartz.jobStore.type"] = "Quartz.Simpl.RAMJobStore, Quartz",
            ["quartz.jobStore.misfireThreshold"] = "60000",
        }));
        services.AddSingleton<IJobFactory, ScopedJobFactory>();
        services.AddHostedService<QuartzHostedService>();
        return services;
    }
}
