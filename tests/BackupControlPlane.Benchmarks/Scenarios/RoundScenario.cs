using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using BackupControlPlane.Agent;
using BackupControlPlane.Benchmarks.Harness;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// Issue 7 §3 and §5. N VMs with two disks each (OS + one data disk), all protected on one policy, so one slot covers them
/// all. Timed: from POST /emulator/scheduler/run-due to every Backup job finished (each makes a recovery point), with
/// the agent program's fleet (real HTTP long-polls, real SAS snapshots in Azurite) running in this process. Then the
/// ceiling for the storage side: Azurite's own comp=snapshot rate, alone, with the same client the agent uses.
/// The service runs on SQLite (one node), or with --db postgres on a throw-away PostgreSQL cluster with one or two
/// nodes (--nodes 2: the agents' requests spread over both, ARM calls and run-due through the first).
/// </summary>
public static class RoundScenario
{
    /// <summary>Azure's limit of protected VMs per Recovery Services vault (docs: Azure Backup support matrix).</summary>
    private const int VmsPerVault = 1000;

    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var n = o.Vms ?? (o.Smoke ? 4 : 100);
        report.Setting("vms", n);
        report.Setting("vmsPerVault", VmsPerVault);
        report.Setting("disksPerVm", 2);
        report.Setting("agents", "BackupControlPlane.Agent AgentFleet in the harness process, one HttpClient (SocketsHttpHandler, unlimited connections), as the agent program's fleet mode");
        report.Setting("db", o.Db);
        report.Setting("nodes", o.Nodes);
        var azurite = await ctx.AzuriteAsync();

        // The rounds of this run, each on a service of its own (a fresh database), all against the run's one Azurite.
        var plans = new List<(string Db, int Nodes)>();
        if (o.Db == "sqlite" || o.WithSqlite) plans.Add(("sqlite", 1));
        if (o.Db == "postgres") plans.Add(("postgres", o.Nodes));
        var rounds = new List<Round>();
        foreach (var (db, nodes) in plans)
        {
            BenchPostgres? pg = null;
            if (db == "postgres")
            {
                var pgClock = Stopwatch.StartNew();
                pg = await ctx.PostgresAsync();
                report.Setting("postgresVersion", pg.Version);
                report.Setting("postgresSettings", Environment.GetEnvironmentVariable("BCP_BENCH_POSTGRES") is { Length: > 0 } ? "BCP_BENCH_POSTGRES (as configured)" : BenchPostgres.ServerSettings + " (fsync, full_page_writes on; defaults otherwise)");
                Console.WriteLine($"PostgreSQL {pg.Version} ready in {pgClock.Elapsed.TotalSeconds:0.0} s; starting {nodes} service node(s) on a fresh database...");
            }
            var startClock = Stopwatch.StartNew();
            await using var cluster = db == "sqlite"
                ? ServiceCluster.Sqlite(await ctx.ServiceAsync())
                : await ServiceCluster.PostgresAsync(azurite.ConnectionString, await pg!.NewDatabaseAsync("bcp_round"), nodes);
            if (db == "postgres") Console.WriteLine($"  {nodes} node(s) ready in {startClock.Elapsed.TotalSeconds:0.0} s");
            rounds.Add(await RoundAsync(o, cluster, pg, azurite, db == "sqlite" ? "round" : $"roundpg{nodes}", n, o.Smoke));
        }

        Console.WriteLine("Measuring Azurite alone...");
        var storage = await SnapshotCeilingAsync(azurite.ConnectionString, 2 * n, o.Smoke ? 4 : 64);
        var azuriteFloor = 2 * n / storage;

        var target = n switch { 1000 => " (target < 60 s)", 10000 => " (target < 10 min)", _ => "" };
        var sqlite = rounds.FirstOrDefault(r => r.Provider == "Sqlite");
        foreach (var r in rounds)
        {
            // A lone SQLite round keeps the names its earlier reports used; every other round says what it ran on.
            var label = rounds.Count == 1 && r.Provider == "Sqlite" ? "" : $" [{r.Label}]";
            var extra = new Dictionary<string, double>
            {
                ["nodes"] = r.Nodes, ["prepareSeconds"] = r.Prepare.TotalSeconds, ["prepare409Retries"] = r.PrepareLostRaces,
                ["runDueAnsweredS"] = r.FanOut.TotalSeconds, ["jobsCompleted"] = r.Completed, ["jobsFailed"] = r.Jobs - r.Completed,
                ["jobStartSpreadS"] = r.StartSpread, ["firstToLastEndS"] = r.FirstToLastEnd,
                ["snapshotTaskP50S"] = Pct(r.Snapshot, 0.5), ["snapshotTaskP99S"] = Pct(r.Snapshot, 0.99),
                ["transferTaskP50S"] = Pct(r.Transfer, 0.5), ["transferTaskP99S"] = Pct(r.Transfer, 0.99),
                ["serviceRssMiBBefore"] = r.RssBefore.Sum(), ["serviceRssMiBAfter"] = r.RssAfter.Sum(),
            };
            foreach (var (k, v) in r.Cpu) extra["cpu" + k + "S"] = v;
            if (r.Nodes > 1)
                for (var i = 0; i < r.Nodes; i++) { extra[$"node{(char)('A' + i)}RssMiBAfter"] = r.RssAfter[i]; }
            report.Add(new Result($"round wall time, {n} VMs{target}{label}", r.Wall.TotalSeconds, "s", azuriteFloor, "Azurite snapshot floor",
                Note: $"{r.Label}; ratio = wall time / (2N snapshots at Azurite's own rate); {r.Completed}/{n} Completed, {r.Points} points on the first and last VM" +
                    (r.Failures.Length > 0 ? $"; not completed: {r.Failures}" : ""),
                Extra: extra));
            report.Add(new Result($"round throughput{label}", n / r.Wall.TotalSeconds, "VMs/s", storage / 2, "Azurite-bound VMs/s"));
            if (r != sqlite && sqlite is not null)
                report.Add(new Result($"round throughput vs SQLite{label}", n / r.Wall.TotalSeconds, "VMs/s", n / sqlite.Wall.TotalSeconds, "SQLite round, same run",
                    Note: $"SQLite round: {sqlite.Wall.TotalSeconds:0.0} s; {r.Label}: {r.Wall.TotalSeconds:0.0} s"));
            Console.WriteLine($"    phases{label}: run-due answered {r.FanOut.TotalSeconds:0.00} s; snapshot task p50 {Pct(r.Snapshot, 0.5):0.00} s, p99 {Pct(r.Snapshot, 0.99):0.00} s; " +
                $"transfer task p50 {Pct(r.Transfer, 0.5):0.00} s, p99 {Pct(r.Transfer, 0.99):0.00} s; {r.Completed}/{n} Completed");
            if (r.Failures.Length > 0) Console.WriteLine($"    not completed{label}: {r.Failures}");
            Console.WriteLine($"    CPU during the round ({r.Wall.TotalSeconds:0.0} s wall × {Environment.ProcessorCount} cores): {string.Join(", ", r.Cpu.Select(kv => $"{kv.Key} {kv.Value:0.0} s"))}");
            if (r.Statements is { } counts)
            {
                report.Setting("postgresStatements" + label.Replace(" ", ""), counts);
                Console.WriteLine($"    PostgreSQL{label}: {PgStatements.Describe(counts, "VM")}");
            }
        }
        report.Add(new Result("ceiling: Azurite comp=snapshot alone", storage, "snap/s", Note: $"{2 * n} snapshots of 1 MiB page blobs, {(o.Smoke ? 4 : 64)} in parallel, a BlobClient per SAS URI as the agent does"));
    }

    /// <summary>What one round measured.</summary>
    private sealed record Round(string Provider, int Nodes, string Label, TimeSpan Prepare, TimeSpan FanOut, TimeSpan Wall, int Jobs, int Completed, int Points,
        List<double> Snapshot, List<double> Transfer, double StartSpread, double FirstToLastEnd, double[] RssBefore, double[] RssAfter, Dictionary<string, double> Cpu,
        int PrepareLostRaces, string Failures, System.Text.Json.Nodes.JsonObject? Statements = null);

    /// <summary>
    /// One round on <paramref name="cluster"/>: N VMs prepared and protected (through node A), the agent fleet started
    /// (its requests spread over the nodes) and polling, then timed from run-due (node A) to every Backup job finished.
    /// </summary>
    private static async Task<Round> RoundAsync(Options options, ServiceCluster cluster, BenchPostgres? pg, BenchAzurite azurite, string rg, int n, bool smoke)
    {
        var service = cluster.A;
        using var http = service.NewClient(TimeSpan.FromMinutes(15));
        http.DefaultRequestHeaders.Authorization = new("Bearer", await service.TokenAsync());
        var arm = new Arm(http, rg);

        // Azure protects at most 1,000 VMs in a vault: a larger round is that many vaults, each its own slot.
        var vaults = Enumerable.Range(1, (n + VmsPerVault - 1) / VmsPerVault).Select(k => $"v{k}").ToList();
        string VaultOf(int i) => vaults[i / VmsPerVault];
        Console.WriteLine($"[{cluster.Label}] Preparing {n} VMs (two disks each) in {vaults.Count} vault(s), each protected on its vault's default policy...");
        var prep = Stopwatch.StartNew();
        foreach (var vault in vaults) await arm.PutVaultAsync(vault);
        await Arm.ForAsync(n, 16, async i => { await arm.PutVmAsync($"vm{i}", 1); await arm.EnableAsync(VaultOf(i), $"vm{i}"); });
        var prepared = prep.Elapsed;
        var lostRaces = arm.LostRaceRetries;
        Console.WriteLine($"  prepared in {prepared.TotalSeconds:0.0} s{(lostRaces > 0 ? $" ({lostRaces} PUTs answered 409 'conflicts with a change ... at the same time, retry' and were sent again)" : "")}; starting {n} agents{(cluster.Nodes.Count > 1 ? $" (requests spread over {cluster.Nodes.Count} nodes)" : "")}...");

        using var agentHttp = cluster.AgentClient(TimeSpan.FromMinutes(6));
        using var fleetStop = new CancellationTokenSource();
        var (keyDir, withKey) = BenchAgentKeys.Place(options, rg, [.. Enumerable.Range(0, n).Select(i => $"vm{i}")]);
        Console.WriteLine($"  {withKey} of {n} agents have a key kept in {keyDir}");
        var fleet = new AgentFleet(agentHttp, NullLoggerFactory.Instance, new AgentFleetOptions
        {
            // Every VM exists before the fleet starts, so its first discovery finds them all; listing 10,000 VMs with
            // their secrets every 500 ms would be load of its own on the measured service.
            DiscoveryInterval = TimeSpan.FromSeconds(10), KeyDirectory = keyDir,
        });
        var fleetRun = fleet.RunAsync(fleetStop.Token);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            // The fleet route lists every VM of the emulator: a service shared with earlier scenarios (smoke) has more.
            while (fleet.Count < n)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {fleet.Count} of {n} agents started.");
                await Task.Delay(100);
            }
            // Untimed: wait until every VM's agent has polled (its instance view says the guest agent is running), so the
            // round measures dispatch to held polls, not the fleet's start-up. An agent without a kept key first makes an
            // RSA-2048 key (~0.1 s of CPU here, one per core at a time), so the patience grows with the fleet.
            deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2) + TimeSpan.FromMilliseconds(300.0 * n);
            await Arm.ForAsync(n, 16, async i =>
            {
                while (!(await http.GetStringAsync(Arm.V(arm.VmPath($"vm{i}") + "/instanceView", "2024-07-01"))).Contains("GuestAgent is running"))
                {
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"The agent of vm{i} never polled.");
                    await Task.Delay(100);
                }
            });

            if (withKey < n) Console.WriteLine($"  {BenchAgentKeys.Harvest(options, rg, [.. Enumerable.Range(0, n).Select(i => $"vm{i}")])} keys the agents made added to the pool");
            Console.WriteLine($"  agents polling after {prep.Elapsed.TotalSeconds:0.0} s; run-due for {n} VMs...");
            var rssBefore = cluster.Nodes.Select(s => s.RssMiB).ToArray();
            // PostgreSQL: the statements the round caused (pg_stat_statements, zeroed here), per VM backed up.
            var counting = cluster.Database is { } counted && await PgStatements.ResetAsync(counted);
            var cpuBefore = Cpu(cluster, pg, azurite);
            var clock = Stopwatch.StartNew();
            using (var response = await http.PostAsync($"/emulator/scheduler/run-due?resourceGroup={rg}", null))
            {
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"run-due answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            var fanOut = clock.Elapsed;
            // Poll the jobs list (what a client would watch) until no Backup job is InProgress and all N exist.
            var roundDeadline = DateTime.UtcNow + TimeSpan.FromMinutes(smoke ? 1 : 30);
            List<JsonNode> backups;
            var pending = new Queue<string>(vaults);
            var finished = new List<JsonNode>();
            while (true)
            {
                // Vault by vault: a vault done (no Backup job InProgress, all its jobs there) is not listed again.
                var running = await arm.ListAsync(arm.VaultPath(pending.Peek()) + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup' and status eq 'InProgress'"));
                if (running.Count == 0)
                {
                    var jobs = await arm.ListAsync(arm.VaultPath(pending.Peek()) + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'"));
                    if (jobs.Count >= Math.Min(VmsPerVault, n - VmsPerVault * vaults.IndexOf(pending.Peek())))
                    {
                        finished.AddRange(jobs);
                        pending.Dequeue();
                        if (pending.Count == 0) { backups = finished; break; }
                        continue;
                    }
                }
                if (DateTime.UtcNow > roundDeadline)
                    throw new TimeoutException($"Round not finished after {clock.Elapsed}: {running.Count} Backup jobs still InProgress.\n" +
                        string.Join("\n", cluster.Nodes.Select((s, i) => $"--- node {(char)('A' + i)} log (tail) ---\n{s.LogTail}")));
                // Each look lists every job in flight (50 pages at 10,000): less often for large rounds, ±2 s of 10 minutes.
                await Task.Delay(n >= 5000 ? 2000 : n >= 1000 ? 500 : 100);
            }
            var wall = clock.Elapsed;
            var cpuAfter = Cpu(cluster, pg, azurite);
            var statements = counting ? await PgStatements.ReadAsync(cluster.Database!, n) : null;
            var rssAfter = cluster.Nodes.Select(s => s.RssMiB).ToArray();
            var cpu = cpuAfter.ToDictionary(kv => kv.Key, kv => kv.Value - cpuBefore[kv.Key]);
            // What the known processes do not account for: Azurite, and anything else on the machine (a shared one).
            cpu["Other"] = cpu["Machine"] - cpu.Where(kv => kv.Key != "Machine").Sum(kv => kv.Value);

            Console.WriteLine($"  round done in {wall.TotalSeconds:0.0} s");
            var completed = backups.Count(j => j["properties"]!["status"]!.GetValue<string>() == "Completed");
            // Why the others did not complete, by error (a round that is fast because backups failed is no result).
            var failures = string.Join("; ", backups.Where(j => j["properties"]!["status"]!.GetValue<string>() != "Completed")
                .GroupBy(j => j["properties"]!["errorDetails"]?[0]?["errorTitle"]?.GetValue<string>() ?? j["properties"]!["status"]!.GetValue<string>())
                .Select(g => $"{g.Count()} × {g.Key} (e.g. {g.First()["properties"]!["errorDetails"]?[0]?["errorString"]})"));
            var points = 0;
            foreach (var i in new[] { 0, n - 1 }.Distinct())
                points += (await arm.ListAsync(arm.ItemPath(VaultOf(i), $"vm{i}") + "/recoveryPoints")).Count;

            // Where the time goes, from the jobs' own task times (server clock): snapshot = task issued → agent's status read;
            // transfer = snapshots copied into the vault and the point recorded. The tasks are in GET one job only (as in
            // Azure), read once per job after the timed window.
            var details = await arm.JobDetailsAsync(backups);
            var starts = backups.Select(j => j["properties"]!["startTime"]!.GetValue<DateTimeOffset>()).ToList();
            {
                // When tasks ended, in 2 s bins from the first job's start: a stall shows as a gap (how the Hangfire
                // client's connection-pool stall was found, docs/performance.md).
                var t0 = starts.Min();
                foreach (var name in new[] { "Take Snapshot", "Transfer data to vault" })
                {
                    var hist = details.Select(j => j["properties"]!["extendedInfo"]?["tasksList"]?.AsArray().FirstOrDefault(t => t!["taskId"]!.GetValue<string>() == name)?["endTime"]?.GetValue<DateTimeOffset>()).OfType<DateTimeOffset>()
                        .GroupBy(e => (int)((e - t0).TotalSeconds / 2) * 2).OrderBy(g => g.Key).Select(g => $"{g.Key}s:{g.Count()}");
                    Console.WriteLine($"    {name} ended (s:count): {string.Join(" ", hist)}");
                }
            }
            var ends = backups.Select(j => j["properties"]!["endTime"]?.GetValue<DateTimeOffset>()).OfType<DateTimeOffset>().ToList();
            return new Round(cluster.Provider, cluster.Nodes.Count, cluster.Label, prepared, fanOut, wall, backups.Count, completed, points,
                TaskDurations(details, "Take Snapshot"), TaskDurations(details, "Transfer data to vault"),
                (starts.Max() - starts.Min()).TotalSeconds, ends.Count > 0 ? (ends.Max() - starts.Min()).TotalSeconds : double.NaN,
                rssBefore, rssAfter, cpu, lostRaces, failures, statements);
        }
        catch (HttpRequestException e)
        {
            // The service stopped answering mid-round: say why, from its own output.
            throw new InvalidOperationException($"The round failed: {e.Message}\n" +
                string.Join("\n", cluster.Nodes.Select((s, i) => $"--- node {(char)('A' + i)}: {s.FailureReport}")), e);
        }
        finally
        {
            fleetStop.Cancel();
            await fleetRun;
        }
    }

    /// <summary>CPU seconds so far of each service node, PostgreSQL (all its processes), Azurite, this harness (agents, clients) and the machine.</summary>
    private static Dictionary<string, double> Cpu(ServiceCluster cluster, BenchPostgres? pg, BenchAzurite azurite)
    {
        var cpu = new Dictionary<string, double>();
        for (var i = 0; i < cluster.Nodes.Count; i++) cpu[cluster.Nodes.Count == 1 ? "Service" : $"Node{(char)('A' + i)}"] = Machine.CpuSeconds(cluster.Nodes[i].Pid);
        if (pg?.ServerPid is { } pid) cpu["Postgres"] = Machine.CpuSecondsWithChildren(pid);
        if (azurite.Pid is { } azuritePid) cpu["Azurite"] = Machine.CpuSeconds(azuritePid);
        cpu["Harness"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        cpu["Machine"] = Machine.MachineBusyCpuSeconds();
        return cpu;
    }

    private static List<double> TaskDurations(List<JsonNode> jobs, string task) =>
        jobs.Select(j => j["properties"]!["extendedInfo"]?["tasksList"]?.AsArray()
                .FirstOrDefault(t => t!["taskId"]!.GetValue<string>() == task))
            .Where(t => t?["startTime"] is not null && t["endTime"] is not null)
            .Select(t => (t!["endTime"]!.GetValue<DateTimeOffset>() - t["startTime"]!.GetValue<DateTimeOffset>()).TotalSeconds)
            .Order().ToList();

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>
    /// Azurite alone: create <paramref name="count"/> page blobs like the service's disks, then snapshot each through
    /// its own SAS URI and a fresh BlobClient, as VmAgent does. Returns snapshots per second.
    /// </summary>
    private static async Task<double> SnapshotCeilingAsync(string connectionString, int count, int parallel)
    {
        var service = new BlobServiceClient(connectionString);
        var container = service.GetBlobContainerClient("bench-snap-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        var sas = new List<Uri>();
        for (var i = 0; i < count; i++) sas.Add(container.GetPageBlobClient($"disk{i}.vhd").Uri);
        await Arm.ForAsync(count, 16, async i =>
        {
            var blob = container.GetPageBlobClient($"disk{i}.vhd");
            await blob.CreateAsync(1024 * 1024);
            sas[i] = container.GetBlobClient($"disk{i}.vhd").GenerateSasUri(BlobSasPermissions.Read | BlobSasPermissions.Write, DateTimeOffset.UtcNow.AddMinutes(30));
        });
        var clock = Stopwatch.StartNew();
        await Arm.ForAsync(count, parallel, async i => await new BlobClient(sas[i]).CreateSnapshotAsync());
        var rate = count / clock.Elapsed.TotalSeconds;
        await container.DeleteAsync();
        return rate;
    }
}
