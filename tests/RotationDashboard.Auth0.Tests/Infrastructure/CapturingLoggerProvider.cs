using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RotationDashboard.Auth0.Tests.Infrastructure;

public sealed record CapturedLog(LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> State, Exception? Exception);

/// <summary>Keeps every log entry (formatted text and structured values) so tests can inspect them.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public string AllText => string.Join("\n", Entries.Select(e =>
        e.Message + " " + string.Join(" ", e.State.Values) + " " + e.Exception));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            owner.Entries.Enqueue(new CapturedLog(logLevel, eventId.Id, formatter(state, exception), values, exception));
        }
    }
}
