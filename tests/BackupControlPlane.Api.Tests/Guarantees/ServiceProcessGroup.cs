using System.Diagnostics;
using BackupControlPlane.Api.Tests.Infrastructure;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// The service as a user runs it: its own process group (as a container or a terminal session gives it), default
/// settings, starting its own Azurite and its demo agent fleet. <see cref="KillGroup"/> is what a container runtime's
/// kill, the OOM killer or a lost session do: SIGKILL to every process of the group at once, Azurite included.
/// </summary>
public sealed class ServiceProcessGroup : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServiceProcessGroup(Process process, Uri baseAddress, IReadOnlyList<string> args)
    {
        _process = process;
        BaseAddress = baseAddress;
        Args = args;
    }

    public Uri BaseAddress { get; }
    public IReadOnlyList<string> Args { get; }
    public int Pid => _process.Id;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <param name="args">Command-line settings (<c>--Key=value</c>); the URLs are added.</param>
    public static async Task<ServiceProcessGroup> StartAsync(Uri baseAddress, IReadOnlyList<string> args, TimeSpan readyTimeout)
    {
        var psi = ServiceCommand.For(baseAddress, args, ownProcessGroup: true);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service.");
        var service = new ServiceProcessGroup(process, baseAddress, args);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(readyTimeout);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    public Task<ServiceProcessGroup> RestartAsync(TimeSpan readyTimeout) => StartAsync(BaseAddress, Args, readyTimeout);

    /// <summary>The command lines of the processes in this group (the service and the Azurite it started).</summary>
    public IReadOnlyList<string> GroupCommandLines() =>
        Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsDigit)).Select(int.Parse)
            .Where(pid => ProcessGroupOf(pid) == Pid)
            .Select(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim(); } catch (IOException) { return ""; } })
            .Where(c => c.Length > 0).ToList();

    private static int? ProcessGroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[2]); // state, ppid, pgrp
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL to the whole group at once; returns when every process of it is gone.</summary>
    public async Task KillGroupAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", "--", $"-{Pid}" }, UseShellExecute = false }))
            await kill!.WaitForExitAsync();
        await _process.WaitForExitAsync();
        for (var i = 0; i < 200 && GroupCommandLines().Count > 0; i++) await Task.Delay(50); // children are reaped by init a moment later
    }

    /// <summary>A bearer token from the service's managed-identity endpoint, as az and the SDKs get one.</summary>
    public async Task<HttpClient> ArmClientAsync()
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?resource=https://management.core.windows.net/");
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private Task WaitUntilReadyAsync(TimeSpan timeout) =>
        Readiness.WaitAsync(BaseAddress, _process, () => Log, timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillGroupAsync();
        _process.Dispose();
    }
}
