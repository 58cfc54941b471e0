using Microsoft.Extensions.Logging;

namespace Tocsin.Cli;

/// <summary>
/// Logs as "tocsin: level: message" lines to the command's error stream (stderr, or a test's writer), keeping
/// stdout for results.
/// </summary>
public sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly TextWriter writer = writer;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriterLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"tocsin: {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}" + (exception is null ? "" : $" ({exception.Message})");
            lock (owner.gate)
                owner.writer.WriteLine(line);
        }
    }
}
