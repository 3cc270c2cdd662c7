using RotationDashboard.Benchmarks.Benchmarks;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>Every benchmark the program knows, by name. A new benchmark is one class and one line here.</summary>
public static class BenchmarkRegistry
{
    public static IReadOnlyList<IBenchmark> All { get; } =
    [
        new ListClientsBenchmark(),
        new TokenCacheBenchmark(),
        new VerifyBenchmark(),
        new ConsumerReadBenchmark(),
        new EngineBenchmark(),
        new BulkRotationBenchmark(),
        new DashboardPageBenchmark(),
    ];

    public static IBenchmark? Find(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
}
