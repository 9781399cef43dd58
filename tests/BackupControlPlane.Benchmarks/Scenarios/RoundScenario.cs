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
/// Issue 7 §3. N VMs with two disks each (OS + one data disk), all protected on one policy, so one slot covers them
/// all. Timed: from POST /emulator/scheduler/run-due to every Backup job finished (each makes a recovery point), with
/// the agent program's fleet (real HTTP long-polls, real SAS snapshots in Azurite) running in this process. Then the
/// ceiling for the storage side: Azurite's own comp=snapshot rate, alone, with the same client the agent uses.
/// </summary>
public static class RoundScenario
{
    public static async Task RunAsync(BenchContext ctx, Report report)
    {
        var o = ctx.Options;
        var n = o.Vms ?? (o.Smoke ? 4 : 100);
        report.Setting("vms", n);
        report.Setting("disksPerVm", 2);
        report.Setting("agents", "BackupControlPlane.Agent AgentFleet in the harness process, one HttpClient (SocketsHttpHandler, unlimited connections), as the agent program's fleet mode");
        var azurite = await ctx.AzuriteAsync();
        var service = await ctx.ServiceAsync();
        using var http = service.NewClient(TimeSpan.FromMinutes(15));
        http.DefaultRequestHeaders.Authorization = new("Bearer", await service.TokenAsync());
        var arm = new Arm(http, "round");

        Console.WriteLine($"Preparing {n} VMs (two disks each), protected on one policy...");
        var prep = Stopwatch.StartNew();
        await arm.PutVaultAsync("v1");
        await Arm.ForAsync(n, 16, async i => { await arm.PutVmAsync($"vm{i}", 1); await arm.EnableAsync("v1", $"vm{i}"); });
        report.Setting("prepareSeconds", Math.Round(prep.Elapsed.TotalSeconds, 1));
        Console.WriteLine($"  prepared in {prep.Elapsed.TotalSeconds:0.0} s; starting {n} agents...");

        using var agentHttp = service.NewClient(TimeSpan.FromMinutes(6));
        using var fleetStop = new CancellationTokenSource();
        var fleet = new AgentFleet(agentHttp, NullLoggerFactory.Instance, new AgentFleetOptions { DiscoveryInterval = TimeSpan.FromMilliseconds(500) });
        var fleetRun = fleet.RunAsync(fleetStop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (fleet.Count < n)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {fleet.Count} of {n} agents started.");
            await Task.Delay(100);
        }
        // Untimed: wait until every VM's agent has polled (its instance view says the guest agent is running), so the
        // round measures dispatch to held polls, not the fleet's start-up. Each agent first makes an RSA-2048 key
        // (~0.1 s of CPU here, one per core at a time), so the patience grows with the fleet.
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2) + TimeSpan.FromMilliseconds(300.0 * n);
        await Arm.ForAsync(n, 16, async i =>
        {
            while (!(await http.GetStringAsync(Arm.V(arm.VmPath($"vm{i}") + "/instanceView", "2024-07-01"))).Contains("GuestAgent is running"))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The agent of vm{i} never polled.");
                await Task.Delay(100);
            }
        });

        Console.WriteLine($"  agents polling after {prep.Elapsed.TotalSeconds:0.0} s; run-due for {n} VMs...");
        var rssBefore = service.RssMiB;
        var clock = Stopwatch.StartNew();
        using (var response = await http.PostAsync("/emulator/scheduler/run-due?resourceGroup=round", null))
        {
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"run-due answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        var fanOut = clock.Elapsed;
        // Poll the jobs list (what a client would watch) until no Backup job is InProgress and all N exist.
        var roundDeadline = DateTime.UtcNow + TimeSpan.FromMinutes(o.Smoke ? 1 : 30);
        List<JsonNode> backups;
        while (true)
        {
            var running = await arm.ListAsync(arm.VaultPath("v1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup' and status eq 'InProgress'"));
            if (running.Count == 0)
            {
                backups = await arm.ListAsync(arm.VaultPath("v1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'"));
                if (backups.Count >= n) break;
            }
            if (DateTime.UtcNow > roundDeadline) throw new TimeoutException($"Round not finished after {clock.Elapsed}: {running.Count} Backup jobs still InProgress.");
            await Task.Delay(n >= 1000 ? 500 : 100);
        }
        var wall = clock.Elapsed;
        var rssAfter = service.RssMiB;
        fleetStop.Cancel();
        await fleetRun;

        Console.WriteLine($"  round done in {wall.TotalSeconds:0.0} s; measuring Azurite alone...");
        var completed = backups.Count(j => j["properties"]!["status"]!.GetValue<string>() == "Completed");
        var points = 0;
        foreach (var i in new[] { 0, n - 1 }.Distinct())
            points += (await arm.ListAsync(arm.ItemPath("v1", $"vm{i}") + "/recoveryPoints")).Count;

        // Where the time goes, from the jobs' own task times (server clock): snapshot = task issued → agent's status read;
        // transfer = snapshots copied into the vault and the point recorded.
        var snap = TaskDurations(backups, "Take Snapshot");
        var transfer = TaskDurations(backups, "Transfer data to vault");
        var starts = backups.Select(j => j["properties"]!["startTime"]!.GetValue<DateTimeOffset>()).ToList();
        var ends = backups.Select(j => j["properties"]!["endTime"]?.GetValue<DateTimeOffset>()).OfType<DateTimeOffset>().ToList();

        var storage = await SnapshotCeilingAsync(azurite.ConnectionString, 2 * n, o.Smoke ? 4 : 64);
        var azuriteFloor = 2 * n / storage;

        var target = n switch { 1000 => " (target < 60 s)", 10000 => " (target < 10 min)", _ => "" };
        report.Add(new Result($"round wall time, {n} VMs{target}", wall.TotalSeconds, "s", azuriteFloor, "Azurite snapshot floor",
            Note: $"ratio = wall time / (2N snapshots at Azurite's own rate); {completed}/{n} Completed, {points} points on the first and last VM",
            Extra: new()
            {
                ["runDueAnsweredS"] = fanOut.TotalSeconds, ["jobsCompleted"] = completed, ["jobsFailed"] = backups.Count - completed,
                ["jobStartSpreadS"] = (starts.Max() - starts.Min()).TotalSeconds, ["firstToLastEndS"] = ends.Count > 0 ? (ends.Max() - starts.Min()).TotalSeconds : double.NaN,
                ["snapshotTaskP50S"] = Pct(snap, 0.5), ["snapshotTaskP99S"] = Pct(snap, 0.99),
                ["transferTaskP50S"] = Pct(transfer, 0.5), ["transferTaskP99S"] = Pct(transfer, 0.99),
                ["serviceRssMiBBefore"] = rssBefore, ["serviceRssMiBAfter"] = rssAfter,
            }));
        report.Add(new Result("round throughput", n / wall.TotalSeconds, "VMs/s", storage / 2, "Azurite-bound VMs/s"));
        report.Add(new Result("ceiling: Azurite comp=snapshot alone", storage, "snap/s", Note: $"{2 * n} snapshots of 1 MiB page blobs, {(o.Smoke ? 4 : 64)} in parallel, a BlobClient per SAS URI as the agent does"));
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
