using System.Collections.Concurrent;
using System.Net;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// Runs alone, after the parallel tests: a thousand agents holding long-polls and backing up at once would take the CPU
/// from every other test of the run (and be slowed by them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyAloneCollection
{
    public const string Name = "Heavy: runs alone";
}

/// <summary>
/// A thousand guest agents in one process, as the agent program's fleet mode runs them: each with its own identity
/// (its own RSA-2048 key, kept in a folder across runs as a VM keeps its certificate: <see cref="FleetKeys"/>) and its
/// own HTTP long-poll. One scheduled slot gives each VM one task: delivered once, snapshotted once, completed.
/// </summary>
[Collection(FleetLastCollection.Name)]
public sealed class AgentFleetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Vms = FleetKeys.Vms;

    [Fact]
    public async Task A_thousand_agents_each_receive_their_task_once_and_complete_it()
    {
        // One OS disk of 4 KiB per VM: the test is about delivery, not bytes.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Storage:EmulatedDiskBytes"] = "4096" });
        const string rg = FleetKeys.ResourceGroup;
        FleetKeys.Stop();
        await app.Arm.PutVaultAsync(rg, "vault1");
        await Parallel.ForAsync(0, Vms, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            await app.Arm.PutVmAsync(rg, FleetKeys.VmName(i), dataDisks: 0);
            using var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", FleetKeys.VmName(i));
            Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        });

        var keysMade = Enumerable.Range(0, Vms).Count(i => File.Exists(Path.Combine(FleetKeys.Directory, rg, FleetKeys.VmName(i), AgentKeys.KeyFile)));
        output.WriteLine($"{Vms} VMs protected after {clock.Elapsed.TotalSeconds:0.0} s; {keysMade} of their keys made beforehand ({FleetKeys.Directory})");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var finished = new ConcurrentDictionary<string, int>();
        var fleet = new AgentFleet(http, NullLoggerFactory.Instance, new AgentFleetOptions
        {
            DiscoveryInterval = TimeSpan.FromMilliseconds(500), Hold = TimeSpan.FromSeconds(20), KeyDirectory = FleetKeys.Directory,
        });
        fleet.TaskFinished += (_, taskId, report) => finished.AddOrUpdate(taskId, 1, (_, n) => n + 1);
        using var stop = new CancellationTokenSource();
        var running = fleet.RunAsync(stop.Token);
        await Poll.Until(async () => await CountAsync(app, db => db.VirtualMachines.CountAsync(v => v.AgentLastSeen != null)) == Vms,
            "every agent to poll", TimeSpan.FromMinutes(15));

        output.WriteLine($"{Vms} agents polling after {clock.Elapsed.TotalSeconds:0.0} s");
        var due = await app.Arm.RunDueAsync(rg);
        output.WriteLine($"run-due answered after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Vms, due["jobs"]!.AsArray().Count);
        await Poll.Until(async () => await CountAsync(app, db => db.BackupJobs.CountAsync(j => j.Status == JobStatuses.InProgress)) == 0,
            "every backup to finish", TimeSpan.FromMinutes(10));
        output.WriteLine($"every backup finished after {clock.Elapsed.TotalSeconds:0.0} s");
        // The transfer runs in Hangfire, so a job can be Completed before the agent has read the answer to its report.
        try
        {
            await Poll.Until(() => Task.FromResult(fleet.TasksSucceeded >= Vms), "every agent to have its report answered", TimeSpan.FromMinutes(2));
        }
        finally
        {
            // What the agents and the jobs say when they disagree: the first jobs that did not complete, and the count.
            output.WriteLine($"{fleet.TasksSucceeded} agents had their report answered");
            await CountAsync(app, async db => { foreach (var j in await db.BackupJobs.Where(j => j.Status != JobStatuses.Completed).Take(5).ToListAsync()) output.WriteLine($"{j.EntityFriendlyName}: {j.Status} {j.ErrorCode} {j.ErrorMessage}"); return 0; });
        }
        stop.Cancel();
        await running;
        var failures = await CountAsync(app, async db => { foreach (var j in await db.BackupJobs.Where(j => j.Status != JobStatuses.Completed).Take(5).ToListAsync()) output.WriteLine($"{j.EntityFriendlyName}: {j.Status} {j.ErrorCode} {j.ErrorMessage}"); return 0; });
        var redelivered = await CountAsync(app, async db => { foreach (var t in await db.AgentTasks.Where(t => t.DeliveryCount != 1).Take(5).ToListAsync()) output.WriteLine($"task {t.TaskId}: {t.State}, delivered {t.DeliveryCount}x"); return 0; });

        Assert.Equal(Vms, await CountAsync(app, db => db.BackupJobs.CountAsync(j => j.Operation == JobOperations.Backup && j.Status == JobStatuses.Completed)));
        Assert.Equal(Vms, await CountAsync(app, db => db.RecoveryPoints.CountAsync()));
        Assert.Equal(Vms, await CountAsync(app, db => db.AgentTasks.CountAsync(t => t.DeliveryCount == 1 && t.State == AgentTaskStates.Completed)));
        Assert.Equal(Vms, finished.Count);
        Assert.All(finished.Values, n => Assert.Equal(1, n)); // no agent ran a task twice
        Assert.Equal(Vms, fleet.TasksSucceeded);
    }

    private static async Task<int> CountAsync(EmulatorApp app, Func<BackupDbContext, Task<int>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<BackupDbContext>());
    }
}
