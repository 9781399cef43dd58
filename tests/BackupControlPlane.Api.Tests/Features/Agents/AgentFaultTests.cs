using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Agent;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// Every failure path of a backup driven by the agent's fault injection, set as a user would: the agent's own option
/// (the --fault flag) or the emulator's control route at run time.
/// </summary>
public sealed class AgentFaultTests
{
    private static string NewRg() => "rg-fault-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_fail_fault_set_at_run_time_fails_the_backup_with_that_extension_code_and_clearing_it_heals()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmfail");
        var agent = await app.StartAgentAsync("vmfail");
        await app.SetFaultAsync("vmfail", new { mode = "fail", code = 402 });

        var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmfail"))["name"]!.GetValue<string>());
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("ExtentionOperationFailed", ArmTestClient.ErrorOf(job));
        Assert.Contains("code 402", job["properties"]!["errorDetails"]![0]!["errorString"]!.GetValue<string>());
        Assert.Equal(0, agent.SnapshotsTaken);
        Assert.Equal("Failed", (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmfail")))["properties"]!["lastBackupStatus"]!.GetValue<string>());

        await app.SetFaultAsync("vmfail", null);
        job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmfail"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_late_agent_holds_its_snapshots_while_the_job_stays_in_progress_then_completes_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmlate");
        // The VM's clock stands still until the test moves it: the agent answers only when its 3 s have passed there.
        var vmClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var agent = await app.StartAgentAsync("vmlate", new VmAgentOptions { Hold = TimeSpan.FromSeconds(5), Fault = AgentFault.Parse("late:3"), Time = vmClock });
        var jobName = (await app.Arm.BackupNowAsync(rg, "vault1", "vmlate"))["name"]!.GetValue<string>();
        var jobPath = $"{ArmTestClient.VaultPath(rg, "vault1")}/backupJobs/{jobName}";

        await Poll.Until(() => Task.FromResult(agent.SnapshotsTaken == 2), "the late agent to take its snapshots");
        var meanwhile = await app.Arm.GetAsync(jobPath);
        Assert.Equal("InProgress", meanwhile["properties"]!["status"]!.GetValue<string>());
        Assert.Empty((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmlate") + "/recoveryPoints"))["value"]!.AsArray());

        // A second at a time, until the agent's delay (started whenever it got there) has run out and it has answered.
        await Poll.Until(async () =>
        {
            vmClock.Advance(TimeSpan.FromSeconds(1));
            return (await app.Arm.GetAsync(jobPath))["properties"]!["status"]!.GetValue<string>() != "InProgress";
        }, "the late agent to answer once its clock has moved 3 s");
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", jobName);
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_agent_that_crashes_mid_task_answers_the_redelivery_already_processed_without_a_second_snapshot()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmcrash");
        var stateDir = Directory.CreateTempSubdirectory("bcp-agent-state-").FullName;
        var secret = await app.ProvisioningSecretAsync("vmcrash");
        using var http = app.NewHttpClient();
        var store = new DirectoryAgentStateStore(stateDir);

        var doomed = new VmAgent(http, secret, NullLogger.Instance, new VmAgentOptions { Hold = TimeSpan.FromSeconds(5), State = store, Fault = new AgentFault(AgentFault.Crash) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var crashed = doomed.RunAsync(cts.Token);
        var jobName = (await app.Arm.BackupNowAsync(rg, "vault1", "vmcrash"))["name"]!.GetValue<string>();
        var crash = await Assert.ThrowsAsync<AgentCrashedException>(() => crashed);
        Assert.Equal(2, await TaggedSnapshotsAsync(app, rg, "vmcrash", crash.TaskId)); // the first attempt's snapshots exist

        // The VM "reboots": a new agent process with the same state folder and no fault.
        var restarted = new VmAgent(http, secret, NullLogger.Instance, new VmAgentOptions { Hold = TimeSpan.FromSeconds(5), State = new DirectoryAgentStateStore(stateDir) });
        using var running = new CancellationTokenSource();
        var loop = restarted.RunAsync(running.Token);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", jobName);
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("GuestAgentSnapshotTaskStatusError", ArmTestClient.ErrorOf(job));
        Assert.Contains("already processed", job["properties"]!["errorDetails"]![0]!["errorString"]!.GetValue<string>());
        Assert.Equal(0, restarted.SnapshotsTaken);
        Assert.Equal(0, await TaggedSnapshotsAsync(app, rg, "vmcrash", crash.TaskId)); // no snapshot outlives the failed backup

        job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmcrash"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal(2, restarted.SnapshotsTaken);
        running.Cancel();
        await loop;
    }

    [Fact]
    public async Task An_agent_that_loses_its_network_shows_Not_Ready_and_backups_fail_fast_until_it_is_back()
    {
        // Two fake clocks. The transport clock runs the agent's network loss and ages its presence (Ready for 2 s after
        // its last request); the emulated clock only moves past the VM's boot grace. Nothing waits on real seconds.
        var emulated = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(emulated, new() { ["Emulator:AgentReadyWindow"] = "00:00:02", ["Emulator:GoalStateLongPoll"] = "00:00:01" },
            services: s => s.Replace(ServiceDescriptor.Singleton(new TransportClock(transport))));
        const string rg = "rg-offline";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmoff");
        emulated.Advance(TimeSpan.FromMinutes(1)); // booted long ago: Not Ready from now on means unavailable
        await app.StartAgentAsync("vmoff", new VmAgentOptions { Hold = TimeSpan.FromSeconds(1), Time = transport });
        await Poll.Until(async () => await AgentStatusAsync(app, rg, "vmoff") == "Ready", "the agent to be Ready");

        await app.SetFaultAsync("vmoff", new { mode = "offline", seconds = 8 });
        // A second of wire time per step: the agent shows Not Ready 2 s after its last request, 6 s before it is back.
        await Poll.Until(async () =>
        {
            transport.Advance(TimeSpan.FromSeconds(1));
            return await AgentStatusAsync(app, rg, "vmoff") == "Not Ready";
        }, "the agent to show Not Ready");
        var job = await app.Arm.BackupNowAsync(rg, "vault1", "vmoff");
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>()); // at once, not after the task timeout
        Assert.Equal("UserErrorGuestAgentStatusUnavailable", ArmTestClient.ErrorOf(job));
        using (var ext = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(rg, "vmoff") + "/extensions/VMSnapshotLinux", "2024-11-01"))
            Assert.Equal(HttpStatusCode.NotFound, ext.StatusCode); // nothing was sent to an agent that is not there

        await Poll.Until(async () =>
        {
            transport.Advance(TimeSpan.FromSeconds(1));
            return await AgentStatusAsync(app, rg, "vmoff") == "Ready";
        }, "the agent to come back");
        job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmoff"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_fault_route_validates_its_input_and_shows_what_is_set()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVmAsync(rg, "vmroute");
        var path = $"/emulator/agents/{await app.VmIdAsync("vmroute")}/fault";

        foreach (var bad in new object[] { new { mode = "explode" }, new { mode = "late" }, new { mode = "fail", code = 0 }, new { seconds = 3 } })
        {
            using var refused = await app.Client.PutAsJsonAsync(path, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        using (var none = await app.Client.GetAsync(path)) Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);
        using (var unknown = await app.Client.PutAsJsonAsync($"/emulator/agents/{Guid.NewGuid()}/fault", new { mode = "silent" }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await app.SetFaultAsync("vmroute", new { mode = "LATE", seconds = 30 });
        var set = await app.Client.GetFromJsonAsync<JsonObject>(path);
        Assert.Equal("late", set!["mode"]!.GetValue<string>());
        Assert.Equal(30, set["seconds"]!.GetValue<int>());
        await app.SetFaultAsync("vmroute", null);
        using (var cleared = await app.Client.GetAsync(path)) Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
    }

    private static async Task<string> AgentStatusAsync(EmulatorApp app, string rg, string vm)
    {
        var view = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm) + "/instanceView", "2024-11-01");
        return view["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>();
    }

    /// <summary>Snapshots of the VM's disk blobs that the extension tagged with this task.</summary>
    public static async Task<int> TaggedSnapshotsAsync(EmulatorApp app, string rg, string vm, string taskId)
    {
        var props = (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm), "2024-11-01"))["properties"]!["storageProfile"]!;
        var blobs = new[] { props["osDisk"]! }.Concat(props["dataDisks"]!.AsArray().Select(d => d!))
            .Select(d => new Azure.Storage.Blobs.BlobUriBuilder(new Uri(d["vhd"]!["uri"]!.GetValue<string>())));
        var count = 0;
        foreach (var blob in blobs)
            await foreach (var b in app.Blobs.GetBlobContainerClient(blob.BlobContainerName).GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Snapshots, Traits = BlobTraits.Metadata, Prefix = blob.BlobName }))
                if (b.Name == blob.BlobName && b.Snapshot is not null && b.Metadata.TryGetValue("taskId", out var tag) && tag == taskId.Replace("-", "")) count++;
        return count;
    }
}
