namespace RotationDashboard.Client.Internal;

/// <summary>
/// Runs at most one instance of an operation at a time; callers arriving meanwhile share its result.
/// The operation runs to completion regardless of any single caller's cancellation.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly Lock _gate = new();
    private Task<T>? _running;

    public Task<T> RunAsync(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        Task<T> task;
        lock (_gate)
            task = _running ??= RunAndForgetAsync(operation);
        return task.WaitAsync(cancellationToken);
    }

    private async Task<T> RunAndForgetAsync(Func<Task<T>> operation)
    {
        // Leave the caller's lock before the operation starts.
        await Task.Yield();
        try
        {
            return await operation();
        }
        finally
        {
            lock (_gate)
                _running = null;
        }
    }
}
