using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RotationDashboard.Testing;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Every log record through FakeLogger (message, structured values, exception), so tests can prove no secret was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly FakeLoggerProvider _fakeLoggers;

    public CapturingLoggerProvider() => _fakeLoggers = new FakeLoggerProvider(Records);

    public FakeLogCollector Records { get; } = new();

    public IReadOnlyList<FakeLogRecord> Entries => Records.GetSnapshot();

    public string AllText => Records.AllText();

    public ILogger CreateLogger(string categoryName) => _fakeLoggers.CreateLogger(categoryName);

    // The fake loggers hold no resources; the records outlive the host that wrote them.
    public void Dispose()
    {
    }
}
