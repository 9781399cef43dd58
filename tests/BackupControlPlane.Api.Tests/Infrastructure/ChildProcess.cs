using System.Diagnostics;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>Runs a program to its end, reading both of its outputs; after the timeout it kills the whole process tree.</summary>
public static class ChildProcess
{
    /// <param name="ExitCode">null when the program was killed after the timeout.</param>
    public sealed record Result(int? ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(null, await stdout, await stderr);
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
