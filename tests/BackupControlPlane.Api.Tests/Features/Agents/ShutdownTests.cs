using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// Ctrl+C as a user gives it: the real service as its own process, with its demo fleet, stopped by SIGTERM. Held
/// goal-state polls are answered rather than dropped, the fleet stops before the port closes (so it logs no
/// connection errors), and the process exits 0. How long that takes is measured outside the tests (docs/agents-and-faults.md).
/// </summary>
public sealed partial class ShutdownTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Fact]
    public async Task SIGTERM_answers_held_polls_stops_the_demo_fleet_quietly_and_exits_0()
    {
        var port = AzuriteProcess.FreePort();
        var dataDirectory = Directory.CreateTempSubdirectory("bcp-shutdown-").FullName;
        using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Emulator:DataDirectory"] = dataDirectory,
            ["Storage:ConnectionString"] = await SharedAzurite.ConnectionStringAsync(),
            ["Storage:StartAzurite"] = "false",
            ["DemoFleet:Enabled"] = "true",
            // Polls are held five minutes: one answered within the test's patience was released, not timed out.
            ["Emulator:GoalStateLongPoll"] = "00:05:00",
            // Everything the fleet says, down to a failed poll (Debug), and every request the service starts.
            ["Logging:LogLevel:Fleet"] = "Debug",
            ["Logging:LogLevel:Agent"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(6) };
        await Poll.Until(async () => !service.HasExited && await IsReadyAsync(http), "the service to answer /readyz", TimeSpan.FromMinutes(2));
        http.DefaultRequestHeaders.Authorization = new("Bearer", await TokenAsync(http));
        var arm = new ArmTestClient(http);
        const string rg = "rg-shutdown";
        await arm.PutVmAsync(rg, "vmfleet", dataDisks: 0);
        await arm.PutVmAsync(rg, "vmheld", dataDisks: 0);

        // vmheld's fleet agent goes offline for an hour, so the test's own agent has that VM to itself.
        var fleet = (await http.GetFromJsonAsync<JsonArray>(AgentRoutes.Fleet))!;
        var held = fleet.Single(m => m!["vmResourceId"]!.GetValue<string>().EndsWith("/vmheld"))!;
        using (var fault = await http.PutAsJsonAsync($"/emulator/agents/{held["vmId"]!.GetValue<string>()}/fault", new { mode = "offline", seconds = 3600 }))
            Assert.Equal(HttpStatusCode.OK, fault.StatusCode);
        await Poll.Until(() => Task.FromResult(service.Log.Contains("Network lost for 3600 s")), "vmheld's fleet agent to go offline");
        await Poll.Until(async () => await AgentStatusAsync(arm, rg, "vmfleet") == "Ready", "vmfleet's fleet agent to poll");

        using var identity = new AgentIdentity(http, held["provisioningSecret"]!.GetValue<string>());
        await identity.RegisterAsync(CancellationToken.None);
        var incarnation = (await GoalStateAsync(http, identity, "waitSeconds=0")).Incarnation;
        var poll = GoalStateAsync(http, identity, $"incarnation={incarnation}&waitSeconds=300");
        await Poll.Until(() => Task.FromResult(service.Log.Contains($"incarnation={incarnation}&waitSeconds=300")), "the service to hold the test's poll");

        var logBeforeStop = service.Log.Length;
        Assert.Equal(0, Kill(service.Id, SigTerm));
        var answer = await poll.WaitAsync(TimeSpan.FromMinutes(1)); // guards against a hang; not a measurement
        Assert.Equal(incarnation, answer.Incarnation); // nothing changed: the stop released it
        Assert.Equal(0, await service.ExitCodeAsync());

        var stopping = service.Log[logBeforeStop..];
        output.WriteLine(stopping);
        Assert.Contains("Application is shutting down", stopping);
        var afterStop = Entries(stopping);
        Assert.DoesNotContain(afterStop, e => e.Level is "fail" or "crit");
        Assert.DoesNotContain(afterStop, e => IsFleet(e.Category) && (e.Level is "warn" || e.Message.Contains("poll failed") || e.Message.Contains("discovery failed")));
        try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
    }

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
    }

    private static async Task<string> TokenAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?resource=https://management.core.windows.net/");
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    private static async Task<string> AgentStatusAsync(ArmTestClient arm, string rg, string vm) =>
        (await arm.GetAsync(ArmTestClient.VmPath(rg, vm) + "/instanceView", "2024-11-01"))["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>();

    private static async Task<AgentGoalState> GoalStateAsync(HttpClient http, AgentIdentity identity, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentRoutes.GoalState}?{query}");
        request.Headers.Authorization = new(AgentRoutes.Scheme, await identity.CredentialAsync(CancellationToken.None));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AgentGoalState>())!;
    }

    private static bool IsFleet(string category) =>
        category is "Fleet" || category.StartsWith("Agent[", StringComparison.Ordinal) || category.EndsWith(".DemoFleetService", StringComparison.Ordinal);

    private sealed record Entry(string Level, string Category, string Message);

    /// <summary>The console logger's entries: a "level: Category[event]" line, then the message's indented lines.</summary>
    private static List<Entry> Entries(string log)
    {
        var entries = new List<Entry>();
        foreach (var line in log.Split('\n'))
        {
            if (EntryHeader().Match(line.TrimEnd('\r')) is { Success: true } m) entries.Add(new Entry(m.Groups[1].Value, m.Groups[2].Value, ""));
            else if (entries.Count > 0 && line.StartsWith("      ", StringComparison.Ordinal)) entries[^1] = entries[^1] with { Message = entries[^1].Message + line.Trim() + "\n" };
        }
        return entries;
    }

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): (.+)\[\d+\]$")]
    private static partial Regex EntryHeader();

    /// <summary>The built service (<c>dotnet BackupControlPlane.Api.dll</c>) with its console captured.</summary>
    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        private ServiceProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static ServiceProcess Start(IReadOnlyDictionary<string, string> settings) =>
            new(Process.Start(ServiceCommand.For(new Uri(settings["Urls"]), settings.Where(s => s.Key != "Urls").Select(s => $"--{s.Key}={s.Value}")))
                ?? throw new InvalidOperationException("Could not start the service."));

        public int Id => _process.Id;
        public bool HasExited => _process.HasExited;
        public string Log { get { lock (_log) return _log.ToString(); } }

        private void Append(string? line)
        {
            if (line is not null) lock (_log) _log.AppendLine(line);
        }

        public async Task<int> ExitCodeAsync()
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // against a hang; not a measurement
            await _process.WaitForExitAsync(guard.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
