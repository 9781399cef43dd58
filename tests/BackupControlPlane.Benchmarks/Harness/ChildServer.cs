using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Benchmarks.Harness;

/// <summary>
/// A server in its own process (the real service, or one of the harness's ceiling servers), so that each is measured
/// with the same runtime settings, its memory is its own, and the harness's agents and clients do not share its GC.
/// </summary>
public sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _dataDir;

    private ChildServer(Process process, int port, string? dataDir)
    {
        _process = process;
        Port = port;
        _dataDir = dataDir;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public Uri BaseAddress { get; }
    public int Pid => _process.Id;
    public double RssMiB => Machine.RssMiB(_process.Id);
    public TimeSpan StartTime { get; private set; }

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupControlPlane.sln"))) return dir.FullName;
        throw new InvalidOperationException("BackupControlPlane.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration this harness was built in; the service is taken from the same one (Release for real runs).</summary>
    public static string Configuration { get; } =
        typeof(ChildServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The service's build; BCP_BENCH_SERVICE_DLL names another (a copy of an earlier build, for a before/after comparison).</summary>
    public static string ServiceDll => Environment.GetEnvironmentVariable("BCP_BENCH_SERVICE_DLL") is { Length: > 0 } other ? other
        : Path.Combine(RepoRoot, "src", "BackupControlPlane.Api", "bin", Configuration, "net10.0", "BackupControlPlane.Api.dll");

    /// <summary>
    /// The real service: its own data folder (fresh SQLite and Hangfire files), the run's Azurite, no demo fleet
    /// (the harness runs the agents), warnings-only logging (console logging per request would measure the console).
    /// </summary>
    /// <param name="sharedDataDir">A data folder the caller owns (several nodes share one: the token-signing key and
    /// the agent secret live there); it is not deleted with this server. A fresh one of the server's own otherwise.</param>
    public static Task<ChildServer> StartServiceAsync(string azurite, Dictionary<string, string>? settings = null, string? sharedDataDir = null, CancellationToken ct = default)
    {
        var dataDir = sharedDataDir ?? Path.Combine(Path.GetTempPath(), "bcp-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var all = new Dictionary<string, string>
        {
            ["Emulator:DataDirectory"] = dataDir,
            ["Storage:ConnectionString"] = azurite,
            ["Storage:StartAzurite"] = "false",
            ["DemoFleet:Enabled"] = "false",
            ["Emulator:RunDueWait"] = "00:10:00",
            ["Logging:LogLevel:Default"] = "Warning",
            // wrk from one address would meet the per-client rate limit; the benchmark measures the service, not the limiter.
            ["Limits:RequestsPerSecond"] = "0",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        if (!File.Exists(ServiceDll)) throw new FileNotFoundException($"Build the service first ({Configuration}): {ServiceDll}");
        return StartAsync(ServiceDll, [], all, "/readyz", dataDir, sharedDataDir is null, ct);
    }

    /// <summary>This harness again, in its ceiling-server mode (bare Kestrel GET and one-row EF Core insert).</summary>
    public static Task<ChildServer> StartCeilingAsync(CancellationToken ct = default)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bcp-bench-bare-" + Guid.NewGuid().ToString("N")[..8]);
        var self = typeof(ChildServer).Assembly.Location;
        return StartAsync(self, ["ceiling-server", "--db", Path.Combine(dataDir, "bare.db")], [], "/bare", dataDir, true, ct);
    }

    private static async Task<ChildServer> StartAsync(string dll, string[] args, Dictionary<string, string> settings, string readyPath, string dataDir, bool ownsDataDir, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDir);
        var port = AzuriteProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        // Configuration through the environment: the same for the service and the ceilings, and nothing on the command line to parse.
        foreach (var (k, v) in settings) psi.Environment[k.Replace(":", "__")] = v;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var clock = Stopwatch.StartNew();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new ChildServer(process, port, ownsDataDir ? dataDir : null);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        // Generous: two nodes migrating one PostgreSQL database at once on a busy 2-core machine take a while.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {process.ExitCode} before it was ready:\n{server.LogTail}");
            if (DateTime.UtcNow > deadline) { await server.DisposeAsync(); throw new TimeoutException($"{Path.GetFileName(dll)} not ready within 120 s:\n{server.LogTail}"); }
            try
            {
                using var response = await http.GetAsync(readyPath, ct);
                if (response.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            // Polling the readiness probe is the measurement of start-up: a short interval keeps its error small.
            await Task.Delay(20, ct);
        }
        server.StartTime = clock.Elapsed;
        return server;
    }

    private readonly Queue<string> _log = new();
    private readonly List<string> _firstFailures = [];
    private int _linesAfterCrash = -1;

    /// <summary>The last lines the server wrote (warnings and up: the service logs nothing else here), for a failure message.</summary>
    public string LogTail { get { lock (_log) return string.Join('\n', _log); } }

    /// <summary>
    /// Why the server failed, for a failure message: whether it exited, its first error and critical lines, and an
    /// unhandled exception whole (a thousand agents' warnings would push those out of the tail).
    /// </summary>
    public string FailureReport
    {
        get
        {
            lock (_log)
                return $"{(_process.HasExited ? $"the server exited with {_process.ExitCode}" : "the server is running")}\n" +
                    $"--- first failures ---\n{string.Join('\n', _firstFailures)}\n--- last lines ---\n{string.Join('\n', _log.TakeLast(40))}";
        }
    }

    // BCP_BENCH_SERVER_LOG=<file>: every line the servers write, each with the time this harness read it, for a diagnosis
    // (with e.g. Logging__LogLevel__… set).
    private static readonly StreamWriter? LogFile = Environment.GetEnvironmentVariable("BCP_BENCH_SERVER_LOG") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true } : null;

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            LogFile?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            _log.Enqueue(line);
            while (_log.Count > 200) _log.Dequeue();
            if (line.StartsWith("Unhandled exception", StringComparison.Ordinal)) _linesAfterCrash = 0;
            var keep = _linesAfterCrash is >= 0 and < 60 || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
            if (_linesAfterCrash >= 0) _linesAfterCrash++;
            if (keep && _firstFailures.Count < 200) _firstFailures.Add(line);
        }
    }

    public HttpClient NewClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromMinutes(5) };

    /// <summary>A bearer token from the managed-identity endpoint, as every ARM client of the emulator gets one.</summary>
    public async Task<string> TokenAsync()
    {
        using var http = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + Uri.EscapeDataString("https://management.core.windows.net/"));
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    /// <summary>Sends SIGTERM, as a container runtime or Ctrl+C does, and returns the time until the process has exited.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        _process.Dispose();
        if (_dataDir is not null) try { Directory.Delete(_dataDir, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>The run's Azurite: started from the pinned package on a free port, or the one in AZURITE_CONNECTION_STRING.</summary>
public sealed class BenchAzurite : IDisposable
{
    private readonly AzuriteProcess? _process;
    private readonly string? _location;

    private BenchAzurite(string connectionString, AzuriteProcess? process, string? location)
    {
        ConnectionString = connectionString;
        _process = process;
        _location = location;
    }

    public string ConnectionString { get; }

    /// <summary>The Azurite process this harness started (none when AZURITE_CONNECTION_STRING names one).</summary>
    public int? Pid => _process?.Pid;

    public static async Task<BenchAzurite> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING") is { Length: > 0 } given) return new BenchAzurite(given, null, null);
        var dir = AzuriteProcess.FindInstallDirectory(ChildServer.RepoRoot) ?? throw new InvalidOperationException("tools/azurite not found.");
        var location = Path.Combine(Path.GetTempPath(), "bcp-bench-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        var process = await AzuriteProcess.StartAsync(dir, location, AzuriteProcess.FreePort(), NullLogger.Instance, CancellationToken.None);
        process.StopWhenThisProcessExits();
        return new BenchAzurite(process.ConnectionString, process, location);
    }

    public void Dispose()
    {
        _process?.Dispose();
        if (_location is not null) try { Directory.Delete(_location, recursive: true); } catch (IOException) { }
    }
}
