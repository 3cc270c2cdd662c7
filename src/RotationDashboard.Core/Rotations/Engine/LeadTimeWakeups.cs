using System.Collections.Concurrent;

namespace RotationDashboard.Core.Rotations.Engine;

/// <summary>Runs waiting out a staged lead time, by rotation: a settings change wakes them to look again at once.</summary>
internal sealed class LeadTimeWakeups
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waits = new();

    /// <summary>Starts listening for a change of the rotation; dispose the result to stop.</summary>
    public Listener Listen(Guid rotationId)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waits[rotationId] = wake;
        return new Listener(this, rotationId, wake);
    }

    public void Wake(Guid rotationId)
    {
        if (_waits.TryGetValue(rotationId, out var wake))
        {
            wake.TrySetResult();
        }
    }

    public sealed class Listener(LeadTimeWakeups owner, Guid rotationId, TaskCompletionSource wake) : IDisposable
    {
        public Task Woken => wake.Task;

        public void Dispose() => owner._waits.TryRemove(new KeyValuePair<Guid, TaskCompletionSource>(rotationId, wake));
    }
}
