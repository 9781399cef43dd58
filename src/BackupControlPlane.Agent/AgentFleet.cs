using System.Collections.Concurrent;
using System.Net.Http.Json;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging;

namespace BackupControlPlane.Agent;

/// <summary>How a fleet runs: where each VM's state lives and which VMs get which fault.</summary>
public sealed record AgentFleetOptions
{
    public TimeSpan DiscoveryInterval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan? Hold { get; init; }
    /// <summary>One subfolder per VM when set; in-process memory otherwise (kept across simulated crashes).</summary>
    public string? StateDirectory { get; init; }
    /// <summary>
    /// One folder per VM (<c>DIR/RESOURCEGROUP/VMNAME</c>) keeping its key and certificate (<see cref="AgentKeys"/>) across
    /// runs; when null, the VM's <see cref="StateDirectory"/> subfolder keeps them, or memory for the fleet's lifetime.
    /// </summary>
    public string? KeyDirectory { get; init; }
    /// <summary>One configuration folder per VM (<c>DIR/RESOURCEGROUP/VMNAME</c>, holding VMSnapshotScriptPluginConfig.json) when set.</summary>
    public string? ConfigDirectory { get; init; }
    /// <summary>A fault for every VM.</summary>
    public AgentFault? Fault { get; init; }
    /// <summary>Faults for VMs by name; these win over <see cref="Fault"/>.</summary>
    public IReadOnlyDictionary<string, AgentFault> FaultsByVm { get; init; } = new Dictionary<string, AgentFault>(StringComparer.OrdinalIgnoreCase);
    /// <summary>How long a crashed agent stays down before it restarts.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How often the fleet prints its one-line summary.</summary>
    public TimeSpan SummaryInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The clock of every simulated VM and of the fleet's own discovery, restart and summary intervals.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Simulates the guest agents of many VMs in one process, each with its own identity and its own long-poll over HTTP.
/// New VMs are discovered through the emulator's fleet route; an agent that crashes (injected fault) restarts with the
/// state it saved, as a rebooted VM would.
/// </summary>
public sealed class AgentFleet(HttpClient http, ILoggerFactory loggers, AgentFleetOptions? options = null)
{
    private readonly AgentFleetOptions _options = options ?? new AgentFleetOptions();
    private readonly Dictionary<string, CancellationTokenSource> _running = [];
    private int _succeeded, _failed, _crashes;
    // RSA key generation is CPU-bound (tens to hundreds of ms a key): a thousand at once would starve the thread pool.
    private readonly SemaphoreSlim _keyGeneration = new(Environment.ProcessorCount);

    public int Count { get { lock (_running) return _running.Count; } }
    public int TasksSucceeded => Volatile.Read(ref _succeeded);
    public int TasksFailed => Volatile.Read(ref _failed);
    public int Crashes => Volatile.Read(ref _crashes);

    /// <summary>Raised after every terminal report of any agent: VM name, task id, report.</summary>
    public event Action<string, string, TaskStatusReport>? TaskFinished;

    public async Task RunAsync(CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Fleet");
        var tasks = new ConcurrentBag<Task>();
        var lastSummary = "";
        var nextSummary = _options.Time.GetUtcNow() + _options.SummaryInterval;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var members = await http.GetFromJsonAsync<List<AgentFleetMember>>(AgentRoutes.Fleet, ct) ?? [];
                    lock (_running)
                    {
                        foreach (var m in members.Where(m => !_running.ContainsKey(m.VmId)))
                        {
                            var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                            _running[m.VmId] = cts;
                            tasks.Add(Task.Run(() => RunMemberAsync(m, cts.Token), CancellationToken.None));
                        }
                        foreach (var gone in _running.Keys.Except(members.Select(m => m.VmId)).ToList())
                        {
                            _running[gone].Cancel();
                            _running.Remove(gone);
                        }
                    }
                }
                // A busy or restarting control plane can fail a discovery any way HTTP can: refused, cut off mid-body
                // (HttpIOException), a truncated list (JsonException), a client timeout. The agents already running go on;
                // the next discovery tries again.
                catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException
                                          || e is OperationCanceledException && !ct.IsCancellationRequested)
                {
                    logger.LogWarning("Fleet discovery failed: {Message}", e.Message);
                }
                if (_options.Time.GetUtcNow() >= nextSummary)
                {
                    var summary = $"{Count} agents; tasks: {TasksSucceeded} succeeded, {TasksFailed} failed; {Crashes} crashes";
                    if (summary != lastSummary) logger.LogInformation("{Summary}", summary);
                    lastSummary = summary;
                    nextSummary = _options.Time.GetUtcNow() + _options.SummaryInterval;
                }
                await Task.Delay(_options.DiscoveryInterval, _options.Time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(tasks);
    }

    private async Task RunMemberAsync(AgentFleetMember member, CancellationToken ct)
    {
        var name = member.VmResourceId.Split('/').Last();
        var logger = loggers.CreateLogger($"Agent[{name}]");
        IAgentStateStore state = _options.StateDirectory is { } dir
            ? new DirectoryAgentStateStore(Path.Combine(dir, member.VmId))
            : new MemoryAgentStateStore();
        // The VM's keys outlive its agent's crashes and restarts, as a VM's certificate outlives its agent.
        var keys = new AgentKeys(_options.KeyDirectory is { } keyDir ? Path.Combine(keyDir, member.VmResourceId.Split('/')[4], name)
            : _options.StateDirectory is { } stateDir ? Path.Combine(stateDir, member.VmId) : null);
        var agentOptions = new VmAgentOptions
        {
            Hold = _options.Hold, State = state, Time = _options.Time, Keys = keys,
            ConfigDirectory = _options.ConfigDirectory is { } config ? Path.Combine(config, member.VmResourceId.Split('/')[4], name) : null,
            Fault = _options.FaultsByVm.TryGetValue(name, out var own) ? own : _options.Fault,
        };
        logger.LogDebug("Agent started for {Vm}", member.VmResourceId);
        while (!ct.IsCancellationRequested)
        {
            var agent = new VmAgent(http, member.ProvisioningSecret, logger, agentOptions);
            agent.TaskFinished += (taskId, report) =>
            {
                Interlocked.Increment(ref report.Status == TaskStatuses.Success ? ref _succeeded : ref _failed);
                TaskFinished?.Invoke(name, taskId, report);
            };
            try
            {
                await _keyGeneration.WaitAsync(ct);
                try
                {
                    await Task.Run(() => agent.Identity.Certificate, ct);
                }
                finally
                {
                    _keyGeneration.Release();
                }
                await agent.RunAsync(ct);
                return;
            }
            catch (AgentCrashedException)
            {
                Interlocked.Increment(ref _crashes);
                logger.LogWarning("Agent crashed; restarting in {Delay}", _options.RestartDelay);
                await Task.Delay(_options.RestartDelay, _options.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (AgentRegistrationRefusedException e)
            {
                logger.LogWarning("Agent stopped: {Message}", e.Message);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
