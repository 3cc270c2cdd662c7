namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Staged runs, before Apply: gives consumers the rotation's lead time to pick up NEXT before Auth0 switches. The
/// settings are read again while waiting: a scheduled run whose auto-rotation was turned off is withdrawn, and a
/// changed lead time moves the switch (<see cref="RotationRunner.ReconsiderLeadTime"/> wakes the wait).
/// </summary>
internal sealed class LeadTimeWait : IRunWait
{
    public static LeadTimeWait Instance { get; } = new();

    public bool RestartsTimeLimit => true;

    public async Task<RunPause?> WaitAsync(RunContext context, bool forceRetire, CancellationToken stopping)
    {
        var run = context.Run;
        if (run.Trigger == RunTrigger.Create)
        {
            // Nobody reads the new rotation's secrets yet, so there is no consumer to give a head start.
            return null;
        }

        var services = context.Services;
        var publishedAt = run.Step(RunStepName.Publish).FinishedAt ?? context.Now;
        while (true)
        {
            // Listen for changes before looking at the settings, so a change made right after the look still wakes us.
            using var listener = services.LeadTimeWakeups.Listen(run.RotationId);

            // Settings may change during the wait (or while the app was down): look at the rotation as it is now.
            var current = await services.Store.FindRotationAsync(run.RotationId, stopping) ?? context.Rotation;
            if (run.Trigger == RunTrigger.Schedule && !current.IsAutoRotationEnabled)
            {
                throw new RunWithdrawnException("Withdrawn: auto-rotation was turned off while the scheduled run waited for its lead time.");
            }

            var due = publishedAt + current.StagedLeadTime;
            var wait = due - context.Now;
            if (wait <= TimeSpan.Zero)
            {
                return null;
            }

            run.NoteStep(RunStepName.Apply, $"Waiting for the lead time: consumers have NEXT since {publishedAt:u}; Auth0 switches at {due:u}.", context.Scrubber);
            await context.SaveAsync();
            services.Notifier.Publish(new RunWaitingEvent(context.Rotation.Id, run.Id, RunStepName.Apply, due, context.Now));
            RunLog.WaitingForLeadTime(services.Logger, run.Id, due);

            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var delay = Task.Delay(wait, services.Time, stopWaiting.Token);
            if (await Task.WhenAny(delay, listener.Woken) != delay)
            {
                await stopWaiting.CancelAsync();
            }

            stopping.ThrowIfCancellationRequested();
        }
    }
}
