using Microsoft.Extensions.Logging.Testing;

namespace RotationDashboard.Auth0.Tests.Infrastructure;

public static class FakeLogCollectorExtensions
{
    /// <summary>Every record's message, structured values and exception as one text, to search for a leaked secret.</summary>
    public static string AllText(this FakeLogCollector logs) => string.Join("\n", logs.GetSnapshot().Select(record =>
        record.Message + " " + string.Join(" ", record.StructuredState?.Select(pair => pair.Value) ?? []) + " " + record.Exception));
}
