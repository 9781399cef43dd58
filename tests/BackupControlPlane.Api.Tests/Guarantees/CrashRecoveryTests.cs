using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Features.Agents;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Api.Tests.Scale;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// The real service (SQLite, one node) killed with SIGKILL while it enables protection and while a round of backups is
/// out with agents and copying to the vault; restarted each time with nothing done by hand. Afterwards every job has
/// ended by itself, each item has exactly one recovery point per finished backup (none lost, none twice), and after
/// the next clean-up no disk snapshot is left without a recovery point.
/// </summary>
[Collection(HeavyAloneCollection.Name)]
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Vms = FleetKeys.CrashVms;
    private const string Rg = FleetKeys.CrashResourceGroup;

    [Fact]
    public async Task Killed_while_enabling_and_mid_round_the_service_finishes_every_backup_once_after_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("bcp-crash-").FullName;
        var storage = await SharedAzurite.ConnectionStringAsync();
        var settings = new Dictionary<string, string>
        {
            ["Emulator:DataDirectory"] = dataDir,
            ["Storage:ConnectionString"] = storage,
            ["Storage:StartAzurite"] = "false",
            // Disks large enough that copies to the vault take a moment, so the kill can land in the middle of them.
            ["Storage:EmulatedDiskBytes"] = (4 * 1024 * 1024).ToString(),
            ["DemoFleet:Enabled"] = "false",
            ["Emulator:GoalStateLongPoll"] = "00:00:05",
            ["Identity:AllowAnonymousArm"] = "true",
        };
        var node = await ClusterNode.StartAsync("crash", new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}"), settings, TimeSpan.FromMinutes(2));
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var arm = new ArmTestClient(http);
            await arm.PutVaultAsync(Rg, "vault1");
            await Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => await arm.PutVmAsync(Rg, $"vm{i}", dataDisks: 1));

            // 1. Killed while enabling: the client's retries (as az or a script would) find each VM protected once.
            var enabled = 0;
            var enabling = Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                try
                {
                    using var r = await arm.EnableProtectionAsync(Rg, "vault1", $"vm{i}");
                    if (r.IsSuccessStatusCode) Interlocked.Increment(ref enabled);
                }
                catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException) { } // the service died under this request
            });
            await Poll.Until(() => Task.FromResult(Volatile.Read(ref enabled) >= Vms / 3), "a third of the VMs to be enabled");
            node.Kill();
            await enabling;
            output.WriteLine($"killed while enabling after {enabled} of {Vms} enable requests had answered");
            node = await node.RestartAsync(TimeSpan.FromMinutes(2));
            await Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                using var r = await arm.EnableProtectionAsync(Rg, "vault1", $"vm{i}");
                Assert.True(r.IsSuccessStatusCode, $"enable vm{i} after restart answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            });
            var items = await ListAsync(arm, ArmTestClient.VaultPath(Rg, "vault1") + "/backupProtectedItems");
            Assert.Equal(Vms, items.Count);
            Assert.Equal(Vms, items.Select(i => i["properties"]!["sourceResourceId"]!.GetValue<string>().ToLowerInvariant()).Distinct().Count());

            // 2. Killed mid-round: tasks are out with the agents and copies to the vault are running.
            using var agentHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var fleet = new AgentFleet(agentHttp, NullLoggerFactory.Instance, new AgentFleetOptions
            {
                DiscoveryInterval = TimeSpan.FromMilliseconds(500), Hold = TimeSpan.FromSeconds(5), KeyDirectory = FleetKeys.Directory,
            });
            using var stopFleet = new CancellationTokenSource();
            var fleetRun = fleet.RunAsync(stopFleet.Token);
            await Poll.Until(() => Task.FromResult(fleet.Count == Vms), "every agent to start", TimeSpan.FromMinutes(5));

            using (var due = await http.PostAsync($"/emulator/scheduler/run-due?resourceGroup={Rg}", null)) Assert.Equal(HttpStatusCode.OK, due.StatusCode);
            string killedAt = "";
            await Poll.Until(async () =>
            {
                var jobs = await arm.RunningWithTasksAsync(await ListAsync(arm, ArmTestClient.VaultPath(Rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")));
                var transferring = jobs.Count(j => j["properties"]!["extendedInfo"]?["tasksList"]?.AsArray().Any(t => t!["taskId"]!.GetValue<string>() == "Transfer data to vault" && t["status"]!.GetValue<string>() == "InProgress") == true);
                var pending = jobs.Count(j => j["properties"]!["extendedInfo"]?["tasksList"]?.AsArray().Any(t => t!["taskId"]!.GetValue<string>() == "Take Snapshot" && t["status"]!.GetValue<string>() == "InProgress") == true);
                killedAt = $"{jobs.Count(j => j["properties"]!["status"]!.GetValue<string>() == "Completed")} completed, {transferring} transferring, {pending} with the agents";
                return transferring > 0 && pending > 0;
            }, "transfers and agent tasks in flight at once", TimeSpan.FromMinutes(3));
            node.Kill();
            output.WriteLine($"killed mid-round: {killedAt}");
            node = await node.RestartAsync(TimeSpan.FromMinutes(2));

            // By itself: agents reconnect (their calls retry), the watchdog takes over cut-off transfers.
            await Poll.Until(async () => (await ListAsync(arm, ArmTestClient.VaultPath(Rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("status eq 'InProgress'"))).Count == 0,
                "every job to end", TimeSpan.FromMinutes(5));
            stopFleet.Cancel();
            await fleetRun;

            var backups = await ListAsync(arm, ArmTestClient.VaultPath(Rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'"));
            var completed = backups.Where(j => j["properties"]!["status"]!.GetValue<string>() == "Completed").ToList();
            var failed = backups.Where(j => j["properties"]!["status"]!.GetValue<string>() == "Failed").ToList();
            var points = 0;
            foreach (var item in items)
            {
                var name = item["properties"]!["friendlyName"]!.GetValue<string>();
                var rps = (await arm.GetAsync(ArmTestClient.ItemPath(Rg, "vault1", name) + "/recoveryPoints"))["value"]!.AsArray();
                var done = completed.Count(j => j["properties"]!["entityFriendlyName"]!.GetValue<string>() == name);
                Assert.True(rps.Count == done, $"{name}: {rps.Count} recovery points for {done} completed backups");
                Assert.True(backups.Count(j => j["properties"]!["entityFriendlyName"]!.GetValue<string>() == name) == 1, $"{name} was backed up more than once in one slot");
                points += rps.Count;
            }
            output.WriteLine($"after restart: {backups.Count} backup jobs ({completed.Count} completed, {failed.Count} failed), {points} recovery points, 0 InProgress");
            foreach (var f in failed.Take(5)) output.WriteLine($"  failed: {f["properties"]!["entityFriendlyName"]} {f["properties"]!["errorDetails"]?[0]?["errorString"]}");
            // An agent whose Transitioning report met the dead service snapshots anyway and resends its final report:
            // none of its backups may end "already processed, but its first attempt left no result" (90 of 150 did).
            Assert.DoesNotContain(failed, f => f["properties"]!["errorDetails"]?[0]?["errorString"]?.GetValue<string>().Contains("left no result") == true);

            // 3. The next clean-up leaves no snapshot without a recovery point.
            using (var maintenance = await http.PostAsync("/emulator/maintenance/run", null))
                output.WriteLine($"clean-up: {await maintenance.Content.ReadAsStringAsync()}");
            var database = Path.Combine(dataDir, "backup.db");
            var (snapshots, orphans) = await SnapshotCensusAsync(storage, database);
            output.WriteLine($"disk snapshots: {snapshots} in Azurite, {orphans} without a recovery point");
            Assert.Equal(0, orphans);
            Assert.Equal(points * 2, snapshots); // two disks per point
            var (copies, orphanCopies) = await VaultCopyCensusAsync(storage, database);
            Assert.Equal((points * 2, 0), (copies, orphanCopies));

            // 4. Killed while pruning: the retention run has deleted expired points from the database and is deleting
            // their snapshots and vault copies. The points of all but the last ten VMs are aged as if their 30 days
            // had passed (the file is the only clock the running service does not own).
            const int kept = 10;
            int aged;
            await using (var db = new SqliteConnection($"Data Source={database}"))
            {
                await db.OpenAsync();
                await using var age = db.CreateCommand();
                age.CommandText = "UPDATE RecoveryPoints SET ExpiryTime = $past WHERE ProtectedItemId IN " +
                    "(SELECT p.Id FROM ProtectedItems p JOIN VirtualMachines v ON v.Id = p.VirtualMachineId WHERE CAST(substr(v.Name, 3) AS INTEGER) < $aged)";
                age.Parameters.AddWithValue("$past", DateTimeOffset.UtcNow.AddDays(-1).UtcTicks);
                age.Parameters.AddWithValue("$aged", Vms - kept);
                aged = await age.ExecuteNonQueryAsync();
            }
            var pruning = http.PostAsync("/emulator/maintenance/run", null);
            await Poll.Until(async () => await ScalarAsync<long>(database, "SELECT COUNT(*) FROM RecoveryPoints") == points - aged,
                "the retention run to commit the deletion of the aged points", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(5));
            node.Kill();
            // The service died under it; a connection cut while being made surfaces as a bare SocketException (CI saw it).
            try { (await pruning).Dispose(); } catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException) { }
            var (_, orphansAtKill) = await SnapshotCensusAsync(storage, database);
            var (_, orphanCopiesAtKill) = await VaultCopyCensusAsync(storage, database);
            output.WriteLine($"killed while pruning {aged} aged points: {orphansAtKill} snapshots and {orphanCopiesAtKill} vault copies of deleted points still in Azurite");
            Assert.True(orphansAtKill + orphanCopiesAtKill > 0, "the kill must fall between the database commit and the last blob delete");

            node = await node.RestartAsync(TimeSpan.FromMinutes(2));
            using (var maintenance = await http.PostAsync("/emulator/maintenance/run", null))
                output.WriteLine($"clean-up after restart: {await maintenance.Content.ReadAsStringAsync()}");
            var left = points - aged;
            (snapshots, orphans) = await SnapshotCensusAsync(storage, database);
            (copies, orphanCopies) = await VaultCopyCensusAsync(storage, database);
            output.WriteLine($"after the clean-up: {left} recovery points, {snapshots} snapshots ({orphans} orphaned), {copies} vault copies ({orphanCopies} orphaned)");
            Assert.Equal((left * 2, 0), (snapshots, orphans));
            Assert.Equal((left * 2, 0), (copies, orphanCopies));
            for (var i = Vms - kept; i < Vms; i++) // the points that were not due are all still there
                Assert.Equal(completed.Count(j => j["properties"]!["entityFriendlyName"]!.GetValue<string>() == $"vm{i}"),
                    (await arm.GetAsync(ArmTestClient.ItemPath(Rg, "vault1", $"vm{i}") + "/recoveryPoints"))["value"]!.AsArray().Count);
        }
        finally
        {
            output.WriteLine(node.Log.Split('\n').TakeLast(20).Aggregate("", (a, l) => a + l + "\n"));
            await node.DisposeAsync();
        }
    }

    internal static async Task<List<JsonNode>> ListAsync(ArmTestClient arm, string path)
    {
        var all = new List<JsonNode>();
        string? next = path;
        while (next is not null)
        {
            var page = await arm.GetAsync(next);
            all.AddRange(page["value"]!.AsArray().Select(v => v!));
            next = page["nextLink"]?.GetValue<string>() is { } link ? new Uri(link).PathAndQuery.Replace("api-version=" + ArmTestClient.ApiVersion, "").TrimEnd('?', '&') : null;
        }
        return all;
    }

    internal static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Every blob in the vault containers the database names, and how many no recovery point references.</summary>
    internal static async Task<(int Copies, int Orphans)> VaultCopyCensusAsync(string storage, string database)
    {
        var referenced = new HashSet<(string, string)>();
        await using (var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT VaultContainer, VaultBlobName FROM RecoveryPointDisks WHERE VaultBlobName IS NOT NULL";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) referenced.Add((r.GetString(0), r.GetString(1)));
        }
        // The test's one vault.
        var container = BackupControlPlane.Api.Infrastructure.BlobStorage.VaultContainer(await ScalarAsync<string>(database, "SELECT \"Key\" FROM Vaults"));
        int copies = 0, orphans = 0;
        await foreach (var b in new BlobServiceClient(storage).GetBlobContainerClient(container).GetBlobsAsync())
        {
            copies++;
            if (!referenced.Contains((container, b.Name))) orphans++;
        }
        return (copies, orphans);
    }

    /// <summary>Every extension snapshot of this test's disks in Azurite, and how many no recovery point references.</summary>
    internal static async Task<(int Snapshots, int Orphans)> SnapshotCensusAsync(string storage, string database)
    {
        var referenced = new HashSet<string>();
        var disks = new List<(string Container, string Blob)>();
        await using (var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT Snapshot FROM RecoveryPointDisks";
            await using (var r = await cmd.ExecuteReaderAsync()) while (await r.ReadAsync()) referenced.Add(r.GetString(0));
            cmd.CommandText = "SELECT BlobContainer, BlobName FROM VirtualMachineDisks";
            await using (var r = await cmd.ExecuteReaderAsync()) while (await r.ReadAsync()) disks.Add((r.GetString(0), r.GetString(1)));
        }
        var service = new BlobServiceClient(storage);
        var names = disks.Select(d => d.Blob).ToHashSet();
        int snapshots = 0, orphans = 0;
        foreach (var container in disks.Select(d => d.Container).Distinct())
            await foreach (var b in service.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Snapshots, Traits = BlobTraits.Metadata }))
            {
                if (b.Snapshot is null || !names.Contains(b.Name) || !b.Metadata.ContainsKey("taskId")) continue;
                snapshots++;
                if (!referenced.Contains(b.Snapshot)) orphans++;
            }
        return (snapshots, orphans);
    }
}
