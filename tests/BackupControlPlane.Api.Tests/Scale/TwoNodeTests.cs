using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Scale;

public sealed class TwoNodeFixture : IAsyncLifetime
{
    public TwoNodeCluster Cluster { get; private set; } = null!;
    public async Task InitializeAsync() => Cluster = await TwoNodeCluster.StartAsync("twonode");
    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Two processes on one PostgreSQL: requests land on either node, and the work is done exactly once.</summary>
// Two service processes and their agents: runs alone.
[Collection(Features.Agents.HeavyAloneCollection.Name)]
public sealed class TwoNodeTests(TwoNodeFixture fixture, ITestOutputHelper output) : IClassFixture<TwoNodeFixture>
{
    private TwoNodeCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_round_run_due_on_both_nodes_backs_up_every_item_exactly_once()
    {
        const int vms = 30;
        const string rg = "rg-round", vault = "vault1";
        var a = Cluster.Arm(Cluster.A);
        var b = Cluster.Arm(Cluster.B);
        await a.PutVaultAsync(rg, vault);
        // Creates and enables alternate between the nodes, several at a time: enable may land on any node.
        await Parallel.ForEachAsync(Enumerable.Range(0, vms), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
        {
            var arm = i % 2 == 0 ? a : b;
            await arm.PutVmAsync(rg, $"vm{i:00}");
            using var enabled = await (i % 3 == 0 ? b : a).EnableProtectionAsync(rg, vault, $"vm{i:00}");
            TwoNodeCluster.AssertAccepted(enabled, $"enable vm{i:00}");
        });
        Cluster.StartFleet();
        await TwoNodeCluster.WaitForAgentsReadyAsync(a, rg, Enumerable.Range(0, vms).Select(i => $"vm{i:00}"), TimeSpan.FromMinutes(4));

        var clock = Stopwatch.StartNew();
        var dues = await Task.WhenAll(a.RunDueAsync(rg), b.RunDueAsync(rg));
        var jobs = await TwoNodeCluster.PollAsync(() => TwoNodeCluster.BackupJobsAsync(a, rg, vault),
            j => j.Count >= vms && j.All(x => TwoNodeCluster.Status(x) != "InProgress"), TimeSpan.FromMinutes(4), "every backup of the round finished", Cluster.Describe);
        clock.Stop();

        var perVm = jobs.GroupBy(TwoNodeCluster.Vm).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = perVm.Values.Sum(c => c - 1);
        var lost = vms - perVm.Count;
        var points = 0;
        for (var i = 0; i < vms; i++)
            points += (await (i % 2 == 0 ? a : b).GetAsync(ArmTestClient.ItemPath(rg, vault, $"vm{i:00}") + "/recoveryPoints"))["value"]!.AsArray().Count;
        output.WriteLine($"Two-node round: {vms} VMs, run-due on both nodes, {clock.Elapsed.TotalSeconds:F1} s from run-due to the last job finished; " +
            $"{jobs.Count} backup jobs, {points} recovery points, {duplicates} duplicates, {lost} lost; slots reported by A: {dues[0]["slots"]!.AsArray().Count}, by B: {dues[1]["slots"]!.AsArray().Count}.");

        Assert.Equal(0, duplicates);
        Assert.Equal(0, lost);
        Assert.All(jobs, j => Assert.Equal("Completed", TwoNodeCluster.Status(j)));
        Assert.Equal(vms, points);
    }

    [Fact]
    public async Task An_agent_long_polling_node_A_receives_a_backup_requested_on_node_B()
    {
        const string rg = "rg-dispatch", vault = "vault1", vm = "vmd";
        var b = Cluster.Arm(Cluster.B);
        await b.PutVmAsync(rg, vm);
        await b.PutVaultAsync(rg, vault);
        using (var enabled = await b.EnableProtectionAsync(rg, vault, vm)) TwoNodeCluster.AssertAccepted(enabled, "enable");

        // The VM's agent, speaking the agent protocol to node A only: registered, then a poll that learns its incarnation.
        using var http = new HttpClient { BaseAddress = Cluster.A.BaseAddress, Timeout = TimeSpan.FromMinutes(6) };
        var fleet = await http.GetFromJsonAsync<List<AgentFleetMember>>(AgentRoutes.Fleet);
        using var identity = new AgentIdentity(http, fleet!.Single(m => m.VmResourceId.EndsWith("/" + vm, StringComparison.OrdinalIgnoreCase)).ProvisioningSecret);
        await identity.RegisterAsync(CancellationToken.None);
        var first = await PollAsync(http, identity, incarnation: -1, waitSeconds: 0);
        Assert.DoesNotContain(first.Extensions, e => e.PublicSettings?.CommandToExecute == VmSnapshotExtension.SnapshotCommand);

        // A poll node A may hold for 5 minutes, then backup-now on node B while it is held.
        var held = PollAsync(http, identity, first.Incarnation, waitSeconds: 300);
        Assert.False(held.IsCompleted, "nothing has changed yet: node A holds the poll");
        using (var now = await b.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, vault, vm) + "/backup", new { properties = new { objectType = "IaasVMBackupRequest" } }))
            Assert.Equal(HttpStatusCode.Accepted, now.StatusCode);

        // Far inside the 5-minute hold: only node B's notification (through PostgreSQL) can have ended that poll.
        var goal = await held.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(goal.Incarnation > first.Incarnation);
        var snapshot = Assert.Single(goal.Extensions, e => e.PublicSettings?.CommandToExecute == VmSnapshotExtension.SnapshotCommand);
        Assert.NotNull(snapshot.ProtectedSettings); // the task with its SAS URIs, encrypted to this agent's certificate
    }

    private static async Task<AgentGoalState> PollAsync(HttpClient http, AgentIdentity identity, long incarnation, int waitSeconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentRoutes.GoalState}?incarnation={incarnation}&waitSeconds={waitSeconds}");
        request.Headers.Authorization = new(AgentRoutes.Scheme, await identity.CredentialAsync(CancellationToken.None));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AgentGoalState>())!;
    }

    [Fact]
    public async Task A_read_on_node_B_right_after_each_change_on_node_A_shows_the_change()
    {
        // Node B keeps its GET answers while PostgreSQL's snapshot is unchanged (Data/ReadCache.cs): a commit on A must
        // make B's very next read fresh, with no notification to wait for.
        const string rg = "rg-cachedread", vault = "v1";
        var a = Cluster.Arm(Cluster.A);
        var b = Cluster.Arm(Cluster.B);
        await a.ProtectedVmAsync(rg, vault, "vmc", dataDisks: 0);
        var path = ArmTestClient.ItemPath(rg, vault, "vmc");
        var vmId = $"/subscriptions/{ArmTestClient.Sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vmc";
        var seen = new HashSet<string>();
        for (var round = 0; round < 4; round++)
        {
            var before = await b.GetAsync(path);
            Assert.Equal(before.ToJsonString(), (await b.GetAsync(path)).ToJsonString()); // the second one B may answer from memory
            var stop = round % 2 == 0;
            using (var change = await a.SendAsync(HttpMethod.Put, path, new
            {
                properties = new
                {
                    protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = vmId,
                    policyId = stop ? "" : ArmTestClient.VaultPath(rg, vault) + "/backupPolicies/DefaultPolicy",
                    protectionState = stop ? "ProtectionStopped" : null,
                },
            }))
                Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
            var after = await b.GetAsync(path);
            Assert.Equal(stop, after["properties"]!["protectionState"]!.GetValue<string>() == "ProtectionStopped");
            Assert.True(seen.Add(after["eTag"]!.GetValue<string>()), "every change on A gives the item a new eTag, and B's read shows it");
        }
    }
}
