using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Every log line every app instance of the run writes, with exceptions, so a test can scan them for secrets
/// (<see cref="All"/>); or, given a queue of its own, the lines of one container a test builds ("LEVEL category: message").
/// </summary>
public sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
{
    private static readonly ConcurrentQueue<string> Lines = new();

    public CapturedLogs() : this(Lines)
    {
    }

    public static IReadOnlyList<string> All => Lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)} {exception}";
            lines.Enqueue(line);
            if (logLevel >= LogLevel.Error && Environment.GetEnvironmentVariable("BCP_TEST_ERRORLOG") is { Length: > 0 } file)
                lock (Lines) File.AppendAllText(file, line + "\n");
        }
    }
}
