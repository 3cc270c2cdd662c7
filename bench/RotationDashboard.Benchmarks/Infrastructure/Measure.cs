using System.Diagnostics;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>Per-operation samples and the wall time of the run that produced them.</summary>
public sealed record Measurement(IReadOnlyList<TimeSpan> Samples, TimeSpan Wall);

/// <summary>
/// Runs an operation up to <c>count</c> times or until <c>budget</c> has passed, whichever comes first, so every
/// benchmark is bounded in both. The operation gets its 0-based index.
/// </summary>
public static class Measure
{
    public static Task<Measurement> SequentialAsync(int count, TimeSpan budget, Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        ConcurrentAsync(count, 1, budget, operation, cancellationToken);

    public static async Task<Measurement> ConcurrentAsync(
        int count,
        int concurrency,
        TimeSpan budget,
        Func<int, CancellationToken, Task> operation,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentNullException.ThrowIfNull(operation);

        var samples = new TimeSpan[count];
        var next = -1;
        var completed = 0;
        var wall = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            while (!cancellationToken.IsCancellationRequested && wall.Elapsed < budget)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count)
                    return;
                var started = Stopwatch.GetTimestamp();
                await operation(index, cancellationToken).ConfigureAwait(false);
                samples[index] = Stopwatch.GetElapsedTime(started);
                Interlocked.Increment(ref completed);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync, cancellationToken))).ConfigureAwait(false);
        wall.Stop();
        cancellationToken.ThrowIfCancellationRequested();

        // Indexes are handed out in order and every one handed out is finished, so the samples are the first `completed`.
        return new Measurement(samples.Take(completed).ToArray(), wall.Elapsed);
    }
}
