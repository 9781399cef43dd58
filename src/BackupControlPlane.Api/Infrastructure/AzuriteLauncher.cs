using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Starts Azurite's blob service as a child process when the configured blob endpoint is Azurite's and nobody answers
/// there, installing the pinned npm package first if needed. Tests and CI use the same code to share one Azurite.
/// </summary>
public sealed class AzuriteLauncher(IOptions<StorageOptions> storage, DataPaths paths, IHostEnvironment env, ILogger<AzuriteLauncher> logger) : IHostedService, IAsyncDisposable
{
    private AzuriteProcess? _process;

    public async Task StartAsync(CancellationToken ct)
    {
        if (!storage.Value.StartAzurite) return;
        var endpoint = AzuriteProcess.LocalBlobEndpoint(storage.Value.ConnectionString);
        if (endpoint is null) return;
        if (await AzuriteProcess.IsListeningAsync(endpoint.Port, ct)) return;
        var dir = storage.Value.AzuriteDirectory ?? AzuriteProcess.FindInstallDirectory(env.ContentRootPath)
            ?? throw new InvalidOperationException("Azurite is not reachable and tools/azurite was not found; set Storage:AzuriteDirectory or start Azurite yourself.");
        logger.LogInformation("Starting Azurite on {Endpoint} with data in {Location}", endpoint, paths.Azurite);
        _process = await AzuriteProcess.StartAsync(dir, paths.Azurite, endpoint.Port, logger, ct);
    }

    public Task StopAsync(CancellationToken ct) => DisposeAsync().AsTask();

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        return ValueTask.CompletedTask;
    }
}

public sealed class AzuriteProcess : IDisposable
{
    private readonly Process _process;

    private AzuriteProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The Azurite process (the benchmark harness accounts its CPU time).</summary>
    public int Pid => _process.Id;

    public string ConnectionString => StorageOptions.AzuriteConnectionString.Replace("127.0.0.1:10000", $"127.0.0.1:{Port}");

    public static Uri? LocalBlobEndpoint(string connectionString)
    {
        var part = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("BlobEndpoint", StringComparison.OrdinalIgnoreCase));
        if (part is null || !Uri.TryCreate(part[1].Trim(), UriKind.Absolute, out var uri)) return null;
        return uri.IsLoopback && uri.AbsolutePath.TrimEnd('/') == "/devstoreaccount1" ? uri : null;
    }

    public static string? FindInstallDirectory(params string[] starts)
    {
        foreach (var start in starts.Append(AppContext.BaseDirectory).Append(Directory.GetCurrentDirectory()))
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tools", "azurite");
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }
        }
        return null;
    }

    public static async Task<bool> IsListeningAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public static async Task<AzuriteProcess> StartAsync(string installDir, string location, int port, ILogger logger, CancellationToken ct)
    {
        var main = Path.Combine(installDir, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(main))
        {
            logger.LogInformation("Installing Azurite with npm into {Dir} (first run only)", installDir);
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"], installDir, ct);
        }
        Directory.CreateDirectory(location);
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in Arguments(installDir, location, port)) psi.ArgumentList.Add(argument);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) logger.LogWarning("azurite: {Line}", e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new AzuriteProcess(process, port);
        var waited = Stopwatch.StartNew(); // a real-time wait for a real process, not the emulated clock
        while (!await IsListeningAsync(port, ct))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                started.Dispose();
                throw new InvalidOperationException($"Azurite did not start listening on port {port}.");
            }
            await Task.Delay(100, ct);
        }
        return started;
    }

    /// <summary>
    /// The node command line for Azurite's blob service from the pinned package in <paramref name="installDir"/>.
    /// <c>--require durable-metadata.cjs</c> adds the flush that makes acknowledged writes survive a kill (see the file
    /// and <see cref="BlobDurability"/>); <c>--disableTelemetry</c> because Azurite otherwise sends usage data to
    /// Application Insights (and probes the instance-metadata address): an emulator must not talk to the cloud.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string installDir, string location, int port) =>
    [
        "--require", Path.Combine(installDir, DurabilityPreload), Path.Combine(installDir, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
        "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--location", location, "--silent", "--skipApiVersionCheck", "--disableTelemetry",
    ];

    public const string DurabilityPreload = "durable-metadata.cjs";

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, string dir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
    }

    /// <summary>
    /// Stops Azurite as a service manager would (SIGTERM): it closes its servers and saves its metadata, so what it
    /// acknowledged is still there when it starts again. SIGKILL (Dispose) can lose the last seconds of it.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString() }, UseShellExecute = false }))
            if (term is not null) await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Dispose();
        }
    }

    /// <summary>Stops this Azurite once the current process is gone, however it ends (a killed test host runs no exit handler).</summary>
    public void StopWhenThisProcessExits() => WhenThisProcessExits.Run($"kill {_process.Id}");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}

/// <summary>
/// Runs a shell command once the current process is gone, however it ends: a test host or harness that is killed runs
/// no exit handler, and would leave its Azurite or PostgreSQL behind. A small shell watcher polls this process's start
/// time in /proc, so a later process reusing the id does not fool it. Linux only; elsewhere nothing.
/// </summary>
public static class WhenThisProcessExits
{
    public static void Run(string command)
    {
        if (!OperatingSystem.IsLinux()) return;
        var stat = $"/proc/{Environment.ProcessId}/stat";
        var script = $"t=$(cut -d' ' -f22 {stat}); while [ \"$(cut -d' ' -f22 {stat} 2>/dev/null)\" = \"$t\" ]; do sleep 2; done; {command} >/dev/null 2>&1";
        Process.Start(new ProcessStartInfo("sh", ["-c", script])
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })?.Dispose();
    }
}
