namespace RotationDashboard.Core.Rotations.Engine.Steps;

/// <summary>
/// Private Key JWT, before Retire: the previous key stays valid for the rotation's grace period after Promote. The run
/// pauses (it does not hold its lease meanwhile) unless a new run forces the retirement or there is nothing to retire.
/// </summary>
internal sealed class GracePeriodWait : IRunWait
{
    public static GracePeriodWait Instance { get; } = new();

    public bool RestartsTimeLimit => false;

    public async Task<RunPause?> WaitAsync(RunContext context, bool forceRetire, CancellationToken stopping)
    {
        var run = context.Run;
        if (RotationRunner.RetireDueAt(run, context.Rotation) is not { } due || due <= context.Now || forceRetire || !HasSomethingToRetire(context))
        {
            return null;
        }

        var note = $"Waiting for the grace period: the previous key stays valid until {due:u}.";
        if (run.Step(RunStepName.Retire).Message != note)
        {
            run.NoteStep(RunStepName.Retire, note, context.Scrubber);
            await context.SaveAsync();
        }

        context.Services.Notifier.Publish(new RunWaitingEvent(context.Rotation.Id, run.Id, RunStepName.Retire, due, context.Now));
        RunLog.WaitingForRetire(context.Services.Logger, run.Id, due);
        return new RunPause(note, due);
    }

    /// <summary>A previous key of ours, or keys the application used before its first issuance, still to remove.</summary>
    private static bool HasSomethingToRetire(RunContext context)
    {
        var rotation = context.Rotation;
        var slots = rotation.ReadGeneratedCredentials(context.Services.Protector);
        var active = slots.Count > rotation.ActiveIndex ? slots[rotation.ActiveIndex].CredentialId : null;
        var previous = slots.Count == Rotation.MaxSlots ? slots[rotation.InactiveIndex] : null;
        return previous is { RetiredAt: null, CredentialId: not null }
               || context.Checkpoint.AttachedBeforeApply?.Any(id => id != active) == true;
    }
}
