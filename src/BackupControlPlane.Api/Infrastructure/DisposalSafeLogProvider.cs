using Hangfire.Logging;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Hangfire keeps one log provider per process. When the app whose logger factory it uses is disposed while another
/// app in the same process still runs (the test suite), every Hangfire connection would throw ObjectDisposedException
/// from its logger; this provider turns that into "no log" instead.
/// </summary>
public sealed class DisposalSafeLogProvider(ILogProvider inner) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new SafeLog(inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new SafeLog(null);
        }
    }

    private sealed class SafeLog(ILog? inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (inner is null) return false;
            try
            {
                return inner.Log(logLevel, messageFunc!, exception!);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
