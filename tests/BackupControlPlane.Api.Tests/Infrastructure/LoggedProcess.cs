using System.Diagnostics;
using System.Text;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>A service process with its output captured, stopped gracefully (SIGTERM) by the test or killed at disposal.</summary>
public sealed class LoggedProcess : IDisposable
{
    private readonly StringBuilder _log = new();

    private LoggedProcess(Process process) => Process = process;

    public Process Process { get; }
    public int Id => Process.Id;
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static LoggedProcess Start(ProcessStartInfo psi)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        var started = new LoggedProcess(Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}."));
        started.Process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started.Process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started.Process.BeginOutputReadLine();
        started.Process.BeginErrorReadLine();
        return started;
    }

    public Task WaitUntilReadyAsync(Uri address, TimeSpan timeout) => Readiness.WaitAsync(address, Process, () => Log, timeout);

    /// <summary>SIGTERM, as a service manager or Ctrl+C stops it; the exit code once it has exited (30 s at most).</summary>
    public async Task<int> TerminateAsync()
    {
        using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Id.ToString() }, UseShellExecute = false }))
            await term!.WaitForExitAsync();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.WaitForExitAsync(exited.Token);
        return Process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
