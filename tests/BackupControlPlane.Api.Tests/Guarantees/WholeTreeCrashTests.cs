using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Features.Agents;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// The default setup — the service starting its own Azurite and its demo agent fleet, default settings — with its whole
/// process group killed (SIGKILL, Azurite included) at three moments: while agents hold snapshot tasks (a third of them
/// answering 10–20 s late), while transfers to the vault run, and just after a backup completed. Restarted on the same
/// data folder each time, with nothing done by hand. Afterwards: no listed recovery point lacks its data, every backup
/// has exactly one outcome (Completed with one point, or Failed with Azure's code and no point), nothing stays
/// InProgress, and after the next clean-up no snapshot or vault copy is orphaned.
/// </summary>
[Collection(HeavyAloneCollection.Name)]
public sealed class WholeTreeCrashTests(ITestOutputHelper output)
{
    private const int Vms = 24;
    private const string Rg = "rg-tree", Vault = "vault1";

    [Fact]
    public async Task Killed_with_its_Azurite_at_three_moments_the_service_keeps_every_acknowledged_backup_and_no_point_without_data()
    {
        var dataDir = Directory.CreateTempSubdirectory("bcp-tree-").FullName;
        var storage = StorageOptions.AzuriteConnectionString.Replace("127.0.0.1:10000", $"127.0.0.1:{AzuriteProcess.FreePort()}");
        string[] args = [$"--Emulator:DataDirectory={dataDir}", $"--Storage:ConnectionString={storage}",
            // Larger disks than the default 1 MiB, so copies to the vault take a moment and a kill can land in them.
            "--Storage:EmulatedDiskBytes=4194304"];
        var service = await ServiceProcessGroup.StartAsync(new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}"), args, TimeSpan.FromMinutes(2));
        try
        {
            var azurite = Assert.Single(service.GroupCommandLines(), c => c.Contains("azurite"));
            Assert.Contains("--disableTelemetry", azurite);
            Assert.Contains(AzuriteProcess.DurabilityPreload, azurite);

            var arm = new ArmTestClient(await service.ArmClientAsync());
            await arm.PutVaultAsync(Rg, Vault);
            await Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
            {
                await arm.PutVmAsync(Rg, $"vm{i}", dataDisks: 2);
                using var enabled = await arm.EnableProtectionAsync(Rg, Vault, $"vm{i}");
                Assert.True(enabled.IsSuccessStatusCode, $"enable vm{i}: {(int)enabled.StatusCode}");
            });
            await InjectLateAgentsAsync(service, arm);

            // 1. While agents hold their snapshot tasks: the first backups done, the late ones still out.
            using (var due = await arm.SendAsync(HttpMethod.Post, $"/emulator/scheduler/run-due?resourceGroup={Rg}")) Assert.Equal(HttpStatusCode.OK, due.StatusCode);
            service = await KillWhenAsync(service, "during snapshots", jobs => Completed(jobs) > 0 && jobs.Any(j => TaskIs(j, "Take Snapshot", "InProgress")));
            arm = await SettleAndCheckAsync(service, dataDir, storage, rounds: 1);

            // 2. While transfers to the vault run.
            await BackupEveryVmAsync(arm);
            service = await KillWhenAsync(service, "during transfers", jobs => jobs.Any(j => TaskIs(j, "Transfer data to vault", "InProgress")), round: 2);
            arm = await SettleAndCheckAsync(service, dataDir, storage, rounds: 2);

            // 3. Just after a backup completed.
            await BackupEveryVmAsync(arm);
            service = await KillWhenAsync(service, "just after a completion", jobs => Completed(jobs) > 0, round: 3);
            arm = await SettleAndCheckAsync(service, dataDir, storage, rounds: 3);

            // The next clean-up leaves no snapshot and no vault copy without its recovery point.
            using (var maintenance = await arm.SendAsync(HttpMethod.Post, "/emulator/maintenance/run"))
                output.WriteLine($"clean-up: {await maintenance.Content.ReadAsStringAsync()}");
            var database = Path.Combine(dataDir, "backup.db");
            var (snapshots, orphans) = await CrashRecoveryTests.SnapshotCensusAsync(storage, database);
            var (copies, orphanCopies) = await CrashRecoveryTests.VaultCopyCensusAsync(storage, database);
            output.WriteLine($"after the clean-up: {snapshots} snapshots ({orphans} orphaned), {copies} vault copies ({orphanCopies} orphaned)");
            Assert.Equal(0, orphans);
            Assert.Equal(0, orphanCopies);
        }
        finally
        {
            output.WriteLine(string.Join('\n', service.Log.Split('\n').TakeLast(15)));
            await service.DisposeAsync();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A third of the agents answer 10–20 s after snapshotting (the demo fleet honours faults from the goal state).</summary>
    private static async Task InjectLateAgentsAsync(ServiceProcessGroup service, ArmTestClient arm)
    {
        var fleet = (await arm.GetAsync("/emulator/agents")).AsArray();
        for (var i = 0; i < Vms; i += 3)
        {
            var vmId = fleet.First(a => a!["vmResourceId"]!.GetValue<string>().EndsWith($"/vm{i}", StringComparison.OrdinalIgnoreCase))!["vmId"]!.GetValue<string>();
            using var put = await arm.SendAsync(HttpMethod.Put, $"/emulator/agents/{vmId}/fault", new { mode = "late", seconds = 10 + i % 11 });
            Assert.True(put.IsSuccessStatusCode, $"fault for vm{i}: {(int)put.StatusCode}");
        }
    }

    private static async Task BackupEveryVmAsync(ArmTestClient arm) =>
        await Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
        {
            using var r = await arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(Rg, Vault, $"vm{i}") + "/backup",
                new { properties = new { objectType = "IaasVMBackupRequest" } });
            Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"backup now vm{i}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        });

    private async Task<ServiceProcessGroup> KillWhenAsync(ServiceProcessGroup service, string moment, Func<List<JsonNode>, bool> condition, int round = 1)
    {
        var arm = new ArmTestClient(await service.ArmClientAsync());
        var state = "";
        await Poll.Until(async () =>
        {
            // Oldest first: this round's jobs; the running ones read one by one for their tasks (the list has none).
            var jobs = await arm.RunningWithTasksAsync((await BackupJobsAsync(arm)).Skip((round - 1) * Vms).ToList());
            state = $"{Completed(jobs)} completed, {jobs.Count(j => TaskIs(j, "Take Snapshot", "InProgress"))} with their agents, " +
                $"{jobs.Count(j => TaskIs(j, "Transfer data to vault", "InProgress"))} transferring";
            return condition(jobs);
        }, $"the moment '{moment}'", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(5));
        await service.KillGroupAsync();
        output.WriteLine($"killed {moment}: {state}");
        return await service.RestartAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Waits for every job to end by itself, then checks one outcome per backup and no point without its data.</summary>
    private async Task<ArmTestClient> SettleAndCheckAsync(ServiceProcessGroup service, string dataDir, string storage, int rounds)
    {
        var arm = new ArmTestClient(await service.ArmClientAsync());
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while ((await BackupJobsAsync(arm)).Where(j => j["properties"]!["status"]!.GetValue<string>() == "InProgress").ToList() is { Count: > 0 } open)
        {
            if (DateTime.UtcNow > deadline)
            {
                // With their tasks (the list has none): which stage each one is stuck in.
                var stuck = await arm.RunningWithTasksAsync(open.Take(5).ToList());
                Assert.Fail($"{open.Count} backup jobs still InProgress after restart {rounds}:\n{string.Join('\n', stuck.Select(j => j.ToJsonString()))}\n{service.Log}");
            }
            await Task.Delay(500);
        }
        var jobs = await BackupJobsAsync(arm);
        var completed = jobs.Where(j => j["properties"]!["status"]!.GetValue<string>() == "Completed").Select(j => Guid.Parse(j["name"]!.GetValue<string>())).ToHashSet();
        var failed = jobs.Where(j => j["properties"]!["status"]!.GetValue<string>() == "Failed").ToList();
        foreach (var f in failed) Assert.False(string.IsNullOrEmpty(f["properties"]!["errorDetails"]?[0]?["errorTitle"]?.GetValue<string>()), $"job {f["name"]} failed without a code");
        for (var i = 0; i < Vms; i++)
            Assert.Equal(rounds, jobs.Count(j => j["properties"]!["entityFriendlyName"]!.GetValue<string>() == $"vm{i}"));

        // Points as the database holds them, against what the API lists and what blob storage has.
        var points = await PointsAsync(Path.Combine(dataDir, "backup.db"));
        var blobs = new BlobServiceClient(storage);
        int listed = 0, withoutData = 0;
        for (var i = 0; i < Vms; i++)
        {
            foreach (var rp in (await arm.GetAsync(ArmTestClient.ItemPath(Rg, Vault, $"vm{i}") + "/recoveryPoints"))["value"]!.AsArray())
            {
                listed++;
                var point = points[rp!["name"]!.GetValue<string>()];
                Assert.Contains(point.JobId, completed); // no point of a failed or unfinished backup
                var tiers = rp["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()).ToList();
                foreach (var disk in point.Disks)
                {
                    var source = new BlobUriBuilder(new Uri(disk.SourceBlobUri));
                    var diskBlob = blobs.GetBlobContainerClient(source.BlobContainerName).GetBlobClient(source.BlobName);
                    var ok = (!tiers.Contains("InstantRP") || await diskBlob.WithSnapshot(disk.Snapshot).ExistsAsync())
                        && (!tiers.Contains("HardenedRP") || disk.VaultBlob is not null && await SameFirstPageAsync(diskBlob, blobs.GetBlobContainerClient(disk.VaultContainer).GetBlobClient(disk.VaultBlob)));
                    if (!ok) withoutData++;
                }
            }
        }
        Assert.Equal(completed.Count, listed); // every completed backup has its one point, listed
        output.WriteLine($"after restart {rounds}: {jobs.Count} backup jobs ({completed.Count} completed, {failed.Count} failed: " +
            $"{string.Join(", ", failed.GroupBy(f => f["properties"]!["errorDetails"]![0]!["errorTitle"]!.GetValue<string>()).Select(g => $"{g.Count()} {g.Key}"))}), " +
            $"{listed} recovery points listed, {withoutData} disks of listed points without their data, 0 InProgress");
        Assert.Equal(0, withoutData);
        return arm;
    }

    private static async Task<bool> SameFirstPageAsync(BlobClient disk, BlobClient copy)
    {
        if (!await copy.ExistsAsync()) return false;
        var range = new Azure.HttpRange(0, 512);
        var a = (await disk.DownloadContentAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = range })).Value.Content.ToArray();
        var b = (await copy.DownloadContentAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = range })).Value.Content.ToArray();
        return a.SequenceEqual(b);
    }

    private sealed record PointDisk(string SourceBlobUri, string Snapshot, string? VaultContainer, string? VaultBlob);
    private sealed record Point(Guid JobId, List<PointDisk> Disks);

    private static async Task<Dictionary<string, Point>> PointsAsync(string database)
    {
        var points = new Dictionary<string, Point>();
        await using var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT r.Name, r.JobId, d.SourceBlobUri, d.Snapshot, d.VaultContainer, d.VaultBlobName FROM RecoveryPoints r JOIN RecoveryPointDisks d ON d.RecoveryPointId = r.Id";
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var name = r.GetString(0);
            if (!points.TryGetValue(name, out var point)) points[name] = point = new Point(Guid.Parse(r.GetString(1)), []);
            point.Disks.Add(new PointDisk(r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        }
        return points;
    }

    private static async Task<List<JsonNode>> BackupJobsAsync(ArmTestClient arm) =>
        (await CrashRecoveryTests.ListAsync(arm, ArmTestClient.VaultPath(Rg, Vault) + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")))
        .OrderBy(j => j["properties"]!["startTime"]!.GetValue<DateTimeOffset>()).ToList();

    private static int Completed(List<JsonNode> jobs) => jobs.Count(j => j["properties"]!["status"]!.GetValue<string>() == "Completed");

    private static bool TaskIs(JsonNode job, string task, string status) =>
        job["properties"]!["extendedInfo"]?["tasksList"]?.AsArray().Any(t => t!["taskId"]!.GetValue<string>() == task && t["status"]!.GetValue<string>() == status) == true;
}
