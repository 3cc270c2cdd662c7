namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>
/// One named benchmark. It starts what it needs (loopback only), measures a bounded number of operations within
/// a bounded time, and returns one row per parameter set; the runner prints them as a Markdown table.
/// </summary>
public interface IBenchmark
{
    /// <summary>The command-line name, lower-case with dashes (e.g. <c>list-clients</c>).</summary>
    string Name { get; }

    string Description { get; }

    Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}

/// <summary>What the runner hands every benchmark.</summary>
/// <param name="Progress">Where to report progress; it goes to stderr so stdout stays a clean Markdown report.</param>
public sealed record BenchmarkContext(TextWriter Progress);

/// <summary>
/// One measured parameter set. <see cref="Latency"/> holds one sample per operation; <see cref="Total"/> is the
/// wall time of the measured part, so throughput is operations per wall-clock second (concurrency included).
/// </summary>
public sealed record BenchmarkRow(
    string Name,
    string Parameters,
    LatencySummary Latency,
    TimeSpan Total,
    string Unit = "op",
    string? Notes = null)
{
    public double Throughput => Total > TimeSpan.Zero ? Latency.Count / Total.TotalSeconds : 0;

    public static BenchmarkRow From(string name, string parameters, Measurement measurement, string unit = "op", string? notes = null) =>
        new(name, parameters, LatencySummary.From(measurement.Samples), measurement.Wall, unit, notes);
}
