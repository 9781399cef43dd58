using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// Two nodes of the service as separate processes on one PostgreSQL database (its own, fresh), sharing the run's
/// Azurite and one data folder (as replicas share a volume: the token-signing key and the agent secret). ARM calls
/// carry one token, fetched from node A and accepted by both. Agents reach the nodes through a <see cref="NodeBalancer"/>.
/// </summary>
public sealed class TwoNodeCluster : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly CancellationTokenSource _agents = new();
    private readonly List<Task> _running = [];

    private TwoNodeCluster(string dataDirectory, string database, ClusterNode a, ClusterNode b, string token)
    {
        _dataDirectory = dataDirectory;
        Database = database;
        Nodes = [a, b];
        Token = token;
    }

    public string Database { get; }
    public ClusterNode[] Nodes { get; }
    public ClusterNode A => Nodes[0];
    public ClusterNode B => Nodes[1];
    public string Token { get; }

    public static async Task<TwoNodeCluster> StartAsync(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var database = await SharedPostgres.NewDatabaseAsync("bcp_" + name);
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"bcp-cluster-{name}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(dataDirectory);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = database,
            ["Emulator:DataDirectory"] = dataDirectory,
            ["Storage:ConnectionString"] = await SharedAzurite.ConnectionStringAsync(),
            ["Storage:StartAzurite"] = "false",
            ["DemoFleet:Enabled"] = "false",
            ["Emulator:GoalStateLongPoll"] = "00:00:20",
            ["Emulator:RunDueWait"] = "00:02:00",
            // Failover within the test's patience: a dead node's Hangfire job and transfer are taken over within seconds.
            ["Hangfire:InvisibilityTimeout"] = "00:00:10",
            // A transfer whose job was lost anyway is queued again by the watchdog past the deadline (StalledTransfers):
            // within the failover test's patience, yet far beyond the late agents' 20 s.
            ["Emulator:AgentTaskTimeout"] = "00:02:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        // Both at once, as an orchestrator starts replicas: migrations and Hangfire's schema must cope with the race.
        var nodes = await Task.WhenAll(
            ClusterNode.StartAsync("A", new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}"), settings, TimeSpan.FromMinutes(2)),
            ClusterNode.StartAsync("B", new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}"), settings, TimeSpan.FromMinutes(2)));
        using var http = new HttpClient { BaseAddress = nodes[0].BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + Uri.EscapeDataString("https://management.core.windows.net/"));
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        return new TwoNodeCluster(dataDirectory, database, nodes[0], nodes[1], token);
    }

    /// <summary>An ARM client talking to one node only.</summary>
    public ArmTestClient Arm(ClusterNode node) => new(Client(node));

    public HttpClient Client(ClusterNode node)
    {
        var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return http;
    }

    /// <summary>Agents for every VM (the agent program's fleet mode), their requests spread over both nodes.</summary>
    public void StartFleet()
    {
        var http = new HttpClient(new NodeBalancer(Nodes.Select(n => n.BaseAddress).ToList())) { BaseAddress = A.BaseAddress, Timeout = TimeSpan.FromMinutes(6) };
        _running.Add(Task.Run(() => new AgentFleet(http, NullLoggerFactory.Instance).RunAsync(_agents.Token)));
    }

    /// <summary>
    /// Waits until every VM's guest agent is Ready (instance view), as Azure wants before a backup: the round then starts
    /// with every agent registered and polling.
    /// </summary>
    public static async Task WaitForAgentsReadyAsync(ArmTestClient arm, string rg, IEnumerable<string> vms, TimeSpan timeout)
    {
        foreach (var vm in vms)
            await PollAsync(async () => (await arm.GetAsync(ArmTestClient.VmPath(rg, vm) + "/instanceView"))["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>(),
                status => status == "Ready", timeout, $"the agent of {vm} Ready");
    }

    /// <summary>Every Backup job of the vault, as ARM lists them (asserting the list fits one page).</summary>
    public static async Task<List<JsonNode>> BackupJobsAsync(ArmTestClient arm, string rg, string vault)
    {
        var list = await arm.GetAsync($"{ArmTestClient.VaultPath(rg, vault)}/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'"));
        Assert.Null(list["nextLink"]);
        return list["value"]!.AsArray().Select(j => j!).ToList();
    }

    public static string Status(JsonNode job) => job["properties"]!["status"]!.GetValue<string>();
    public static string Vm(JsonNode job) => job["properties"]!["entityFriendlyName"]!.GetValue<string>();

    /// <summary>Polls until <paramref name="done"/> holds, failing the test with <paramref name="what"/> after the deadline.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{what} not reached within {timeout}. {describe?.Invoke(value)}");
            await Task.Delay(250);
        }
    }

    /// <summary>The state of a round and what the nodes logged (warnings and up), for a failure message.</summary>
    public string Describe(IReadOnlyList<JsonNode> jobs) =>
        $"{jobs.Count} backup jobs: {string.Join(", ", jobs.GroupBy(Status).Select(g => $"{g.Count()} {g.Key}"))}.\n" +
        string.Join("\n", Nodes.Select(n => $"--- node {n.Name} log (tail) ---\n{(n.Log.Length > 4000 ? n.Log[^4000..] : n.Log)}"));

    public async ValueTask DisposeAsync()
    {
        _agents.Cancel();
        foreach (var node in Nodes) await node.DisposeAsync();
        try { await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static void AssertAccepted(HttpResponseMessage response, string what) =>
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{what} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
}
