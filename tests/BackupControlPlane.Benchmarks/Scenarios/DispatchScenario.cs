using BackupControlPlane.Contracts;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using BackupControlPlane.Agent;
using BackupControlPlane.Benchmarks.Harness;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// Issue 7 §2. N agents hold goal-state long-polls (the agent program's AgentFleet, real HTTP, in this process). One
/// at a time, a backup-now creates a snapshot task for a sampled VM; latency = the moment that VM's agent receives a
/// goal state carrying the task (this process's clock) minus the job's startTime (the service's clock: same machine,
/// taken just before the task's transaction commits). Memory per held connection = service RSS growth from before
/// the agents started to all N holding, divided by N. The ceiling, in the same run at the same N: bare long-polls on
/// the ceiling server, woken one at a time (BareLongPollAsync). --settle: each sample starts after the previous
/// backup has finished (not only been received), to tell the dispatch's own time from the previous backup's work.
/// </summary>
public static class DispatchScenario
{
    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var n = o.Vms ?? (o.Smoke ? 5 : 1000);
        var samples = Math.Min(n, o.Smoke ? 3 : 200);
        report.Setting("agents", n);
        report.Setting("samples", samples);
        var service = await ctx.ServiceAsync();
        using var http = service.NewClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", await service.TokenAsync());
        var arm = new Arm(http, "dispatch");

        Console.WriteLine($"Preparing {n} protected VMs (no data disk)...");
        await arm.PutVaultAsync("v1");
        await Arm.ForAsync(n, 16, async i => { await arm.PutVmAsync($"d{i}", 0); await arm.EnableAsync("v1", $"d{i}"); });
        var keys = (await http.GetFromJsonAsync<List<AgentFleetMember>>("/emulator/agents"))!
            .Where(m => m.VmResourceId.Contains("/resourceGroups/dispatch/", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(m => m.VmId, m => m.VmResourceId.Split('/').Last(), StringComparer.OrdinalIgnoreCase);
        GC.Collect();
        await Task.Delay(1000);
        var rssIdle = service.RssMiB;

        // Every goal state an agent receives passes through this handler, which notes when a snapshot task first arrives.
        var received = new ConcurrentDictionary<string, DateTimeOffset>();
        var recorder = new ReceiptRecorder(keys, received) { InnerHandler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue } };
        using var agentHttp = new HttpClient(recorder) { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(6) };
        using var stop = new CancellationTokenSource();
        // Keys kept across runs (the VM names are stable): without them each agent first makes an RSA-2048 key.
        var (keyDir, withKey) = BenchAgentKeys.Place(o, "dispatch", [.. Enumerable.Range(0, n).Select(i => $"d{i}")]);
        report.Setting("agentKeysReused", withKey);
        Console.WriteLine($"  {withKey} of {n} agents have a key kept in {keyDir}; starting the fleet...");
        var fleet = new AgentFleet(agentHttp, NullLoggerFactory.Instance, new AgentFleetOptions
        {
            // Every VM exists before the fleet starts, so its first discovery finds them all; listing 10,000 VMs with
            // their secrets every 500 ms would be load of its own on the measured service.
            DiscoveryInterval = TimeSpan.FromSeconds(10), KeyDirectory = keyDir,
        });
        var startClock = Stopwatch.StartNew();
        var run = fleet.RunAsync(stop.Token);
        // Each agent registers (and, without a kept key, first makes one: ~0.2 s of CPU each here): wait until every VM's agent has had a
        // goal state answered. Its next poll, sent at once, is the held one. A VM not yet polling would fail its backup
        // with UserErrorGuestAgentStatusUnavailable and measure nothing.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(0.5 * n);
        while (recorder.PolledVms < n)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {recorder.PolledVms} of {n} agents polled.");
            await Task.Delay(100);
        }
        report.Setting("agentsStartSeconds", Math.Round(startClock.Elapsed.TotalSeconds, 1));
        Console.WriteLine($"  every agent polled after {startClock.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(o.Smoke ? 0.5 : 3));
        var rssHeld = service.RssMiB;
        if (withKey < n) Console.WriteLine($"  {BenchAgentKeys.Harvest(o, "dispatch", [.. Enumerable.Range(0, n).Select(i => $"d{i}")])} keys the agents made added to the pool");

        Console.WriteLine($"  {n} agents holding; {samples} backups, one at a time...");
        var step = Math.Max(1, n / samples);
        var latencies = new List<double>();
        var sampled = Enumerable.Range(0, samples).Select(i => $"d{i * step}").ToList();
        // Warm-up, not counted: the same backups on VMs not sampled, so the samples measure the path once the JIT has
        // compiled it (as the api scenario warms each route), not its first runs in tier-0 code.
        var warmup = step < 2 || o.Smoke ? [] : Enumerable.Range(0, Math.Min(samples, 100)).Select(i => $"d{i * step + 1}").ToList();
        report.Setting("warmupBackups", warmup.Count);
        var settle = o.Args.Contains("--settle");
        report.Setting("settle", settle);
        foreach (var vm in warmup.Concat(sampled))
        {
            using (var response = await http.PostAsJsonAsync(Arm.V(arm.ItemPath("v1", vm) + "/backup"), new { properties = new { objectType = "IaasVMBackupRequest" } }))
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"backup now answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var wait = Stopwatch.StartNew();
            while (!received.ContainsKey(vm) && wait.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(1);
            // --settle (a diagnostic): the next sample starts once this backup has finished, so a dispatch is measured
            // without the previous backup's report, transfer and agent work running beside it.
            while (settle && wait.Elapsed < TimeSpan.FromSeconds(60)
                && (await arm.ListAsync(arm.VaultPath("v1") + "/backupJobs?$filter=" + Uri.EscapeDataString("status eq 'InProgress'"))).Count > 0)
                await Task.Delay(10);
        }
        var jobs = await arm.ListAsync(arm.VaultPath("v1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'"));
        foreach (var j in jobs)
        {
            var vm = j["properties"]!["entityFriendlyName"]!.GetValue<string>();
            if (!sampled.Contains(vm)) continue;
            if (received.TryGetValue(vm, out var at)) latencies.Add((at - j["properties"]!["startTime"]!.GetValue<DateTimeOffset>()).TotalMilliseconds);
        }
        stop.Cancel();
        await run;
        latencies.Sort();
        var perConnKiB = (rssHeld - rssIdle) * 1024 / n;
        Console.WriteLine($"  ceiling: {n} bare long-polls held on the ceiling server, {samples} woken one at a time...");
        var bare = await BareLongPollAsync(ctx, n, samples);
        var p99 = Pct(latencies, 0.99);
        report.Add(new Result($"dispatch p50, {n} agents holding", Pct(latencies, 0.5), "ms", Pct(bare.Latencies, 0.5), "bare long-poll wake-up p50",
            Extra: new() { ["received"] = latencies.Count, ["sampled"] = samples }));
        report.Add(new Result($"dispatch p99, {n} agents holding", p99, "ms", Pct(bare.Latencies, 0.99), "bare long-poll wake-up p99",
            Note: $"target < 20 ms at 1,000 agents: {(n == 1000 ? (p99 < 20 ? "met" : "NOT met") : "n/a at this size")}",
            Extra: new() { ["max"] = latencies.Count > 0 ? latencies[^1] : double.NaN, ["bareMax"] = bare.Latencies.Count > 0 ? bare.Latencies[^1] : double.NaN }));
        report.Add(new Result("service memory per held connection", perConnKiB, "KiB", bare.KiB, "bare long-poll KiB per held request",
            Note: $"target ≤ 100 KiB; {n} held: service RSS {rssHeld:0} MiB (target < 1 GiB at 10,000)",
            Extra: new() { ["rssIdleMiB"] = rssIdle, ["rssHeldMiB"] = rssHeld, ["bareRssIdleMiB"] = bare.RssIdle, ["bareRssHeldMiB"] = bare.RssHeld }));
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>
    /// The ceiling, in the same run at the same size: N bare long-polls (Kestrel and a minimal API with the service's
    /// runtime settings, the ceiling server) held from this process, then sampled one at a time: POST /wake → the held
    /// GET answered in this process. What a dispatch and a held request cost at the least on this machine right now.
    /// </summary>
    private static async Task<(List<double> Latencies, double KiB, double RssIdle, double RssHeld)> BareLongPollAsync(BenchContext ctx, int n, int samples)
    {
        var ceiling = await ctx.CeilingAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = ceiling.BaseAddress, Timeout = TimeSpan.FromMinutes(11) };
        await Task.Delay(1000);
        var idle = ceiling.RssMiB;
        using var stop = new CancellationTokenSource();
        var answered = new long[n];
        var polls = Enumerable.Range(0, n).Select(async i =>
        {
            using var response = await http.GetAsync($"/hold/{i}", stop.Token);
            await response.Content.LoadIntoBufferAsync(stop.Token);
            answered[i] = Stopwatch.GetTimestamp();
        }).ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (await http.GetFromJsonAsync<int>("/held") < n)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The ceiling server never held {n} polls.");
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
        var held = ceiling.RssMiB;
        var step = Math.Max(1, n / samples);
        var latencies = new List<double>();
        for (var s = 0; s < samples; s++)
        {
            var i = s * step;
            var sent = Stopwatch.GetTimestamp();
            using (var wake = await http.PostAsync($"/wake/{i}", null)) wake.EnsureSuccessStatusCode();
            await polls[i];
            latencies.Add(Stopwatch.GetElapsedTime(sent, answered[i]).TotalMilliseconds);
        }
        await stop.CancelAsync();
        try { await Task.WhenAll(polls); }
        catch (OperationCanceledException) { /* the polls not sampled, ended here */ }
        latencies.Sort();
        return (latencies, (held - idle) * 1024 / n, idle, held);
    }

    /// <summary>Notes, per VM (the goal state's vmId), the first goal state that carries a snapshot command, and counts goal-state polls.</summary>
    private sealed class ReceiptRecorder(Dictionary<string, string> vmById, ConcurrentDictionary<string, DateTimeOffset> received) : DelegatingHandler
    {
        private readonly ConcurrentDictionary<string, bool> _polled = new(StringComparer.OrdinalIgnoreCase);
        public int PolledVms => _polled.Count;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.RequestUri!.AbsolutePath.EndsWith("/goalstate") && response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(ct);
                var at = DateTimeOffset.UtcNow;
                var body = await response.Content.ReadAsStringAsync(ct);
                if (System.Text.Json.Nodes.JsonNode.Parse(body)?["vmId"]?.GetValue<string>() is { } vmId && vmById.TryGetValue(vmId, out var vm))
                {
                    _polled.TryAdd(vmId, true);
                    if (body.Contains("\"snapshot\"")) received.TryAdd(vm, at);
                }
            }
            return response;
        }
    }
}
