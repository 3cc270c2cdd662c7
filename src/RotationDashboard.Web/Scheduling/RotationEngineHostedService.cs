using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Web.Scheduling;

/// <summary>
/// Starts the rotation engine with the app: once the app has started (the built-in sandbox tenant is only reachable
/// then), rebuilds the Quartz triggers from the database: overdue rotations fire at once and unfinished runs resume.
/// At shutdown it stops running runs at their next step boundary so they resume on the next start. Registered after
/// the Quartz hosted service, so it starts after and stops before it.
/// </summary>
public sealed partial class RotationEngineHostedService(
    RotationScheduler scheduler,
    RotationEngine engine,
    IHostApplicationLifetime lifetime,
    ILogger<RotationEngineHostedService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenRegistration _started;
    private Task _rebuild = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(() => _rebuild = RebuildAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync();
        await _stopping.CancelAsync();
        await engine.StopAsync(cancellationToken);
        try
        {
            await _rebuild;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RebuildAsync()
    {
        try
        {
            var (scheduled, resumed) = await scheduler.RebuildAsync(_stopping.Token);
            LogStarted(logger, scheduled, resumed);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRebuildFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotation engine started: {Scheduled} scheduled rotation(s), {Resumed} unfinished run(s) to resume")]
    private static partial void LogStarted(ILogger logger, int scheduled, int resumed);

    [LoggerMessage(Level = LogLevel.Error, Message = "The rotation schedule could not be rebuilt from the database; rotations will not run until the next start")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception);
}
