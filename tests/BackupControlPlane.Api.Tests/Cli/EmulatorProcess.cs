using System.Diagnostics;
using System.Text;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The emulator as a real, separate process (`dotnet BackupControlPlane.Api.dll`), as a user runs it: its own data
/// folder, HTTP and HTTPS on free ports, the tests' shared Azurite, the demo agent fleet on. Killed on dispose and, as a
/// safety net, when the test host exits.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly EventHandler _onExit;

    private EmulatorProcess(Process process, string dataDirectory, Uri http, Uri https)
    {
        _process = process;
        DataDirectory = dataDirectory;
        HttpBase = http;
        HttpsBase = https;
        _onExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string DataDirectory { get; }
    /// <summary>Plain HTTP: the token endpoint az's managed-identity login calls, and the local-only emulator routes.</summary>
    public Uri HttpBase { get; }
    /// <summary>HTTPS with the emulator's own CA: what az talks ARM to (azure-core sends bearer tokens over TLS only).</summary>
    public Uri HttpsBase { get; }
    public string CaBundle => Path.Combine(DataDirectory, "tls", "ca.pem");

    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<EmulatorProcess> StartAsync(string storageConnectionString, TimeSpan readyTimeout)
    {
        // The API's dll, deps.json and runtimeconfig.json are copied next to the test binaries by the project reference.
        var dll = Path.Combine(AppContext.BaseDirectory, "BackupControlPlane.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found: build the test project first.");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "bcp-azcli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        var http = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}");
        var https = new Uri($"https://127.0.0.1:{AzuriteProcess.FreePort()}");

        // DOTNET_HOST_PATH is the dotnet that runs `dotnet test`; otherwise the one on PATH.
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = dataDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(dll);
        // Configuration on the command line, the highest-precedence source, so nothing in the environment overrides it.
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Urls"] = $"{http.GetLeftPart(UriPartial.Authority)};{https.GetLeftPart(UriPartial.Authority)}",
            ["Emulator:DataDirectory"] = dataDirectory,
            ["Storage:ConnectionString"] = storageConnectionString,
            ["Storage:StartAzurite"] = "false",
            ["DemoFleet:Enabled"] = "true",
            ["Emulator:GoalStateLongPoll"] = "00:00:05",
            // Only api-versions real clients send: proves the emulator's list covers everything this az sends.
            ["Emulator:StrictApiVersions"] = "true",
        })
            psi.ArgumentList.Add($"--{key}={value}");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the emulator process.");
        var emulator = new EmulatorProcess(process, dataDirectory, http, https);
        process.OutputDataReceived += (_, e) => emulator.Append(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await emulator.WaitUntilReadyAsync(readyTimeout);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
        return emulator;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The emulator exited with code {_process.ExitCode} before it was ready:\n{Log}");
            try
            {
                using var response = await client.GetAsync("/readyz");
                if (response.IsSuccessStatusCode && File.Exists(CaBundle)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The emulator did not answer /readyz within {timeout}:\n{Log}");
            await Task.Delay(200);
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        Kill();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
