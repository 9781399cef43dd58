using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Scale;

public sealed class TwoNodeFixture : IAsyncLifetime
{
    public TwoNodeCluster Cluster { get; private set; } = null!;
    // Goal-state polls are held 5 minutes: an agent that receives work sooner was woken by a signal, not by its poll ending.
    public async Task InitializeAsync() => Cluster = await TwoNodeCluster.StartAsync("twonode", new Dictionary<string, string> { ["Emulator:GoalStateLongPoll"] = "00:05:00" });
    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Two processes on one PostgreSQL: requests land on either node, and the work is done exactly once.</summary>
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

        var clock = Stopwatch.StartNew();
        var dues = await Task.WhenAll(a.RunDueAsync(rg), b.RunDueAsync(rg));
        var jobs = await TwoNodeCluster.PollAsync(() => TwoNodeCluster.BackupJobsAsync(a, rg, vault),
            j => j.Count >= vms && j.All(x => TwoNodeCluster.Status(x) != "InProgress"), TimeSpan.FromMinutes(4), "every backup of the round finished");
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

        // The agent talks to node A only, which holds each poll for 5 minutes.
        var polls = new GoalStatePolls { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(polls) { BaseAddress = Cluster.A.BaseAddress, Timeout = TimeSpan.FromMinutes(6) };
        var fleet = await Cluster.Client(Cluster.A).GetFromJsonAsync<List<AgentFleet.Member>>(AgentRoutes.Fleet);
        var secret = fleet!.Single(m => m.VmResourceId.EndsWith("/" + vm, StringComparison.OrdinalIgnoreCase)).ProvisioningSecret;
        var agent = new VmAgent(http, secret, NullLogger.Instance);
        var delivered = new TaskCompletionSource<(TaskStatusReport Report, int PollsSent)>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.TaskFinished += (_, report) => delivered.TrySetResult((report, polls.Sent));
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => agent.RunAsync(stop.Token));
        try
        {
            // The first poll answers at once (the agent knows no incarnation yet); the second is the held one.
            await TwoNodeCluster.PollAsync(() => Task.FromResult(polls.Sent), n => n >= 2, TimeSpan.FromMinutes(1), "the agent holding a goal-state poll on node A");
            var pollsBefore = polls.Sent;

            using (var now = await b.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, vault, vm) + "/backup", new { properties = new { objectType = "IaasVMBackupRequest" } }))
                Assert.Equal(HttpStatusCode.Accepted, now.StatusCode);

            // Far inside the 5-minute hold: only node B's notification (through PostgreSQL) can have ended that poll.
            var (report, pollsSent) = await delivered.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(TaskStatuses.Success, report.Status);
            Assert.Equal(pollsBefore, pollsSent); // the task came on the poll that was already held when B created it
        }
        finally
        {
            stop.Cancel();
            await running;
        }
    }

    /// <summary>Counts the goal-state requests the agent sends.</summary>
    private sealed class GoalStatePolls : DelegatingHandler
    {
        private int _sent;
        public int Sent => Volatile.Read(ref _sent);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/goalstate", StringComparison.OrdinalIgnoreCase)) Interlocked.Increment(ref _sent);
            return base.SendAsync(request, ct);
        }
    }
}
