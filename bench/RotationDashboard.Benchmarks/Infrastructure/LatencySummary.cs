namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>Count, mean, max and nearest-rank percentiles of a set of durations.</summary>
public sealed record LatencySummary(int Count, TimeSpan Sum, TimeSpan Mean, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max)
{
    public static LatencySummary From(IEnumerable<TimeSpan> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
            return new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

        var sum = TimeSpan.FromTicks(sorted.Sum(s => s.Ticks));
        return new LatencySummary(
            sorted.Length,
            sum,
            sum / sorted.Length,
            Percentile(sorted, 50),
            Percentile(sorted, 95),
            Percentile(sorted, 99),
            sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of ascending <paramref name="sorted"/> samples: the smallest value with at least p % at or below it.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            throw new ArgumentException("No samples.", nameof(sorted));
        if (percent is <= 0 or > 100 || double.IsNaN(percent))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is in (0, 100].");
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
