using Microsoft.Extensions.Logging;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>Renews a run's lease every third of its duration; cancels the run when the lease is lost.</summary>
internal sealed partial class LeaseRenewal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseRenewal(IRunStore store, TimeSpan duration, TimeProvider time, ILogger logger, Guid rotationId, string holder, CancellationTokenSource run)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(duration / 3, time);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        if (!await store.RenewLeaseAsync(rotationId, holder, duration, _stop.Token))
                        {
                            LeaseLost(logger, rotationId);
                            await run.CancelAsync();
                            return;
                        }
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        RenewFailed(logger, exception, rotationId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public void Dispose() => _stop.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of rotation {RotationId} could not be renewed; trying again")]
    private static partial void RenewFailed(ILogger logger, Exception exception, Guid rotationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of rotation {RotationId} was taken over; stopping this run")]
    private static partial void LeaseLost(ILogger logger, Guid rotationId);
}
