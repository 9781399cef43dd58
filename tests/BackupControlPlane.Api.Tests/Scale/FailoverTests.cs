using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>kill -9 of one node in the middle of a round: the other finishes every backup, and the killed one rejoins.</summary>
// Two service processes and a fleet of agents on the machine's two cores: runs alone.
[Collection(Features.Agents.HeavyAloneCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_node_mid_round_loses_and_duplicates_nothing_and_the_node_rejoins_on_restart()
    {
        const int vms = 24;
        const string rg = "rg-failover", vault = "vault1";
        await using var cluster = await TwoNodeCluster.StartAsync("failover");
        var b = cluster.Arm(cluster.B);
        await b.PutVaultAsync(rg, vault);
        await Parallel.ForEachAsync(Enumerable.Range(0, vms), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
        {
            var arm = cluster.Arm(i % 2 == 0 ? cluster.A : cluster.B);
            var vm = await arm.PutVmAsync(rg, $"vm{i:00}");
            using var enabled = await arm.EnableProtectionAsync(rg, vault, $"vm{i:00}");
            TwoNodeCluster.AssertAccepted(enabled, $"enable vm{i:00}");
            // A third of the agents answer late (well inside the extension timeout), so that when the first backup has
            // finished others are surely still in flight, however fast the machine is.
            if (i % 3 == 0)
            {
                using var fault = await arm.SendAsync(HttpMethod.Put, $"/emulator/agents/{vm["properties"]!["vmId"]!.GetValue<string>()}/fault", new { mode = "late", seconds = 20 });
                Assert.True(fault.IsSuccessStatusCode, $"fault for vm{i:00} answered {(int)fault.StatusCode}");
            }
        });
        cluster.StartFleet();
        await TwoNodeCluster.WaitForAgentsReadyAsync(b, rg, Enumerable.Range(0, vms).Select(i => $"vm{i:00}"), TimeSpan.FromMinutes(4));
        await b.RunDueAsync(rg);

        // Mid-round: as soon as the first backup has finished, node A dies without any shutdown.
        var atKill = await TwoNodeCluster.PollAsync(() => TwoNodeCluster.BackupJobsAsync(b, rg, vault),
            j => j.Any(x => TwoNodeCluster.Status(x) != "InProgress"), TimeSpan.FromMinutes(3), "a first finished backup", cluster.Describe);
        cluster.A.Kill();
        var inProgressAtKill = atKill.Count(j => TwoNodeCluster.Status(j) == "InProgress");
        Assert.True(inProgressAtKill > 0, "the kill must fall in the middle of the round");

        var jobs = await TwoNodeCluster.PollAsync(() => TwoNodeCluster.BackupJobsAsync(b, rg, vault),
            j => j.Count >= vms && j.All(x => TwoNodeCluster.Status(x) != "InProgress"), TimeSpan.FromMinutes(5), "every backup finished by the surviving node", cluster.Describe);
        var perVm = jobs.GroupBy(TwoNodeCluster.Vm).ToDictionary(g => g.Key, g => g.Count());
        var points = 0;
        for (var i = 0; i < vms; i++)
            points += (await b.GetAsync(ArmTestClient.ItemPath(rg, vault, $"vm{i:00}") + "/recoveryPoints"))["value"]!.AsArray().Count;
        output.WriteLine($"Failover: {vms} VMs; node A killed with {inProgressAtKill} backups in progress; afterwards {jobs.Count} backup jobs " +
            $"({jobs.Count(j => TwoNodeCluster.Status(j) == "Completed")} Completed, {jobs.Count(j => TwoNodeCluster.Status(j) == "InProgress")} InProgress), " +
            $"{points} recovery points, {perVm.Values.Sum(c => c - 1)} duplicates, {vms - perVm.Count} lost; " +
            $"transfers cut off by the kill and run again by B: {cluster.B.Log.Split('\n').Count(l => l.Contains("stalled since"))}.");

        Assert.Equal(vms, perVm.Count);
        Assert.All(perVm, p => Assert.Equal(1, p.Value));
        Assert.All(jobs, j => Assert.Equal("Completed", TwoNodeCluster.Status(j)));
        Assert.Equal(vms, points);

        // Restarted as it was (same port and settings), it rejoins by itself and serves the same state.
        var killed = cluster.A;
        cluster.Nodes[0] = await killed.RestartAsync(TimeSpan.FromMinutes(2));
        await killed.DisposeAsync();
        var fromA = await TwoNodeCluster.BackupJobsAsync(cluster.Arm(cluster.A), rg, vault);
        Assert.Equal(jobs.Select(j => j["name"]!.GetValue<string>()).Order(), fromA.Select(j => j["name"]!.GetValue<string>()).Order());
    }
}
