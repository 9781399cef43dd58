using System.Diagnostics;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Agent;

/// <summary>
/// Runs one pre- or post-script as the Linux extension's ScriptRunner does: <c>sh SCRIPT PARAMS…</c>, retried up to the
/// configured number of times, all attempts within the configured timeout (noticed on the next poll of the script). Exit
/// code 0 is success and 2 a warning that still counts as success; anything else is a failure.
/// </summary>
public sealed class ScriptRunner(TimeProvider time, Action<string> log)
{
    /// <summary>Exit code a script uses for "succeeded with a warning" (ScriptRunner's PrePost_ScriptStatus_Warning).</summary>
    public const int WarningExitCode = 2;

    /// <summary>The outcome of a script: null code means it succeeded.</summary>
    public sealed record Outcome(int? Code, string Message)
    {
        public bool Succeeded => Code is null;
    }

    /// <summary>Which of the two scripts, with the extension codes of its failures.</summary>
    public sealed record Phase(string Name, int Failed, int NotFound, int PermissionError, int Timeout)
    {
        public static readonly Phase Pre = new("Pre-script", VmSnapshotExtension.Codes.PreScriptFailed, VmSnapshotExtension.Codes.PreScriptNotFound,
            VmSnapshotExtension.Codes.PreScriptPermissionError, VmSnapshotExtension.Codes.PreScriptTimeout);
        public static readonly Phase Post = new("Post-script", VmSnapshotExtension.Codes.PostScriptFailed, VmSnapshotExtension.Codes.PostScriptNotFound,
            VmSnapshotExtension.Codes.PostScriptPermissionError, VmSnapshotExtension.Codes.PostScriptTimeout);
    }

    public async Task<Outcome> RunAsync(Phase phase, string? location, IReadOnlyList<string>? parameters, int retries, ScriptPluginConfig config, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(location)) return new(null, $"{phase.Name}: none configured");
        if (!File.Exists(location)) return new(phase.NotFound, $"{phase.Name} {location} was not found.");
        // Scripts must be private to their owner (700): anyone else able to change them could run code as the extension.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(location) & (UnixFileMode)0x3F) != 0)
            return new(phase.PermissionError, $"{phase.Name} {location} must have permissions 700, not {ScriptPluginConfig.Octal(File.GetUnixFileMode(location))}.");

        // The budget covers every attempt; the extension notices the end of it when it next polls the script.
        var poll = config.ScriptsExecutionPollTimeSeconds;
        var budget = TimeSpan.FromSeconds((config.TimeoutInSeconds + poll - 1) / poll * poll);
        using var timeout = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        int exit = -1;
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            try
            {
                exit = await RunOnceAsync(location, parameters ?? [], linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return new(phase.Timeout, $"{phase.Name} {location} timed out after {budget.TotalSeconds:0} s (timeoutInSeconds {config.TimeoutInSeconds}).");
            }
            log($"{phase.Name} {location} attempt {attempt + 1} exited with {exit}");
            if (exit is 0 or WarningExitCode) return new(null, $"{phase.Name} {location} succeeded{(exit == WarningExitCode ? " with a warning" : "")}");
        }
        return new(phase.Failed, $"{phase.Name} {location} failed with exit code {exit} after {retries + 1} attempt(s).");
    }

    private static async Task<int> RunOnceAsync(string location, IReadOnlyList<string> parameters, CancellationToken ct)
    {
        var start = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(location);
        foreach (var p in parameters) start.ArgumentList.Add(p);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sh could not be started.");
        // Drained so a chatty script never blocks on a full pipe.
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(CancellationToken.None), process.StandardError.ReadToEndAsync(CancellationToken.None));
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await drain;
        return process.ExitCode;
    }
}
