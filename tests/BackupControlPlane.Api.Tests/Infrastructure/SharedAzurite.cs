using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the whole test run, started from the project's pinned package on a free port with its own
/// data folder. Set AZURITE_CONNECTION_STRING to use one that is already running instead.
/// </summary>
public static class SharedAzurite
{
    private static readonly Lazy<Task<string>> Instance = new(StartAsync);
    private static AzuriteProcess? _process;

    public static Task<string> ConnectionStringAsync() => Instance.Value;

    /// <summary>The Azurite process this run started, if it started one.</summary>
    public static int? Pid => _process?.Pid;

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING") is { Length: > 0 } given) return given;
        var dir = AzuriteProcess.FindInstallDirectory(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("tools/azurite not found above the test binaries.");
        var location = Path.Combine(Path.GetTempPath(), "bcp-tests-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        _process = await AzuriteProcess.StartAsync(dir, location, AzuriteProcess.FreePort(), NullLogger.Instance, CancellationToken.None);
        _process.StopWhenThisProcessExits(); // the test host is often ended without running ProcessExit
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _process.Dispose();
            try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        };
        return _process.ConnectionString;
    }
}
