using Microsoft.Extensions.Logging.Testing;

namespace RotationDashboard.Testing;

public static class FakeLogText
{
    /// <summary>One line per record: category, level, message, every structured value and the exception, to search for leaks.</summary>
    public static IReadOnlyList<string> Lines(this FakeLogCollector logs) => logs.GetSnapshot()
        .Select(record => $"{record.Category} {record.Level} {record.Message} " +
                          string.Join(";", record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []) +
                          $" {record.Exception}")
        .ToList();

    /// <summary>All of <see cref="Lines"/> as one text.</summary>
    public static string AllText(this FakeLogCollector logs) => string.Join("\n", logs.Lines());
}
