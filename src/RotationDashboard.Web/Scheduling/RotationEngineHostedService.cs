using RotationDashboard.Core.Rotations.Engine;

namespace RotationDashboard.Web.Scheduling;

/// <summary>
/// Starts the rotation engine with the app: rebuilds the Quartz triggers from the database (overdue rotations fire
/// at once; unfinished runs resume), and at shutdown stops running runs at their next step boundary so they resume
/// on the next start. Registered after the Quartz hosted service, so it starts after and stops before it.
/// </summary>
public sealed partial class RotationEngineHostedService(
    RotationScheduler scheduler,
    RotationEngine engine,
    ILogger<RotationEngineHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (scheduled, resumed) = await scheduler.RebuildAsync(cancellationToken);
        LogStarted(logger, scheduled, resumed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotation engine started: {Scheduled} scheduled rotation(s), {Resumed} unfinished run(s) to resume")]
    private static partial void LogStarted(ILogger logger, int scheduled, int resumed);
}
