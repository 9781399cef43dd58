using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Agent;

/// <summary>
/// Simulates the guest agents of many VMs in one process, each with its own credential and its own long-poll over HTTP.
/// New VMs are discovered through the emulator's fleet route.
/// </summary>
public sealed class AgentFleet(HttpClient http, ILoggerFactory loggers, TimeSpan? discoveryInterval = null)
{
    public sealed record Member(string VmResourceId, string VmId, string OsType, string ProvisioningSecret);

    private readonly Dictionary<string, CancellationTokenSource> _running = [];

    public int Count { get { lock (_running) return _running.Count; } }

    public async Task RunAsync(CancellationToken ct)
    {
        var logger = loggers.CreateLogger<AgentFleet>();
        var tasks = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var members = await http.GetFromJsonAsync<List<Member>>(Contracts.AgentRoutes.Fleet, ct) ?? [];
                    lock (_running)
                    {
                        foreach (var m in members.Where(m => !_running.ContainsKey(m.VmId)))
                        {
                            var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                            _running[m.VmId] = cts;
                            var agent = new VmAgent(http, m.ProvisioningSecret, loggers.CreateLogger($"Agent[{m.VmResourceId.Split('/').Last()}]"));
                            tasks.Add(Task.Run(() => agent.RunAsync(cts.Token), CancellationToken.None));
                            logger.LogInformation("Agent started for {Vm}", m.VmResourceId);
                        }
                        foreach (var gone in _running.Keys.Except(members.Select(m => m.VmId)).ToList())
                        {
                            _running[gone].Cancel();
                            _running.Remove(gone);
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    logger.LogDebug("Fleet discovery failed: {Message}", e.Message);
                }
                await Task.Delay(discoveryInterval ?? TimeSpan.FromSeconds(2), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(tasks);
    }
}
