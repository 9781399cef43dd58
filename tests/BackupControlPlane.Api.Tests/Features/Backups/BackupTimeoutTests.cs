using BackupControlPlane.Agent;
using BackupControlPlane.Contracts;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>
/// Agents that never answer: the job must end Failed with Azure's code, never stay InProgress. Time is a fake clock
/// advanced past the task timeout, and the watchdog is the same service the Hangfire recurring job runs.
/// </summary>
public sealed class BackupTimeoutTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EmulatorApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await EmulatorApp.StartAsync(_time, new() { ["Emulator:AgentTaskTimeout"] = "00:05:00" });

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private async Task<int> RunWatchdogAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TaskTimeouts>().FailTimedOutTasksAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_VM_whose_agent_never_polls_fails_with_UserErrorGuestAgentStatusUnavailable_after_the_timeout()
    {
        await _app.Arm.ProtectedVmAsync("rg-silent", "vault1", "vmnoagent");
        var due = await _app.Arm.RunDueAsync("rg-silent");
        var jobName = ArmTestClient.BackupJobOf(due, "vmnoagent");

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await RunWatchdogAsync());
        var job = await _app.Arm.GetAsync($"{ArmTestClient.VaultPath("rg-silent", "vault1")}/backupJobs/{jobName}");
        Assert.Equal("InProgress", job["properties"]!["status"]!.GetValue<string>());

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await RunWatchdogAsync());
        job = await _app.Arm.GetAsync($"{ArmTestClient.VaultPath("rg-silent", "vault1")}/backupJobs/{jobName}");
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("UserErrorGuestAgentStatusUnavailable", job["properties"]!["errorDetails"]![0]!["errorTitle"]!.GetValue<string>());
        var item = await _app.Arm.GetAsync(ArmTestClient.ItemPath("rg-silent", "vault1", "vmnoagent"));
        Assert.Equal("Failed", item["properties"]!["lastBackupStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_agent_that_takes_the_task_and_goes_silent_fails_with_GuestAgentSnapshotTaskStatusError_and_a_late_answer_is_ignored()
    {
        await _app.Arm.ProtectedVmAsync("rg-mute", "vault1", "vmmute");
        var due = await _app.Arm.RunDueAsync("rg-mute");
        var jobName = ArmTestClient.BackupJobOf(due, "vmmute");
        var key = await _app.ProvisioningSecretAsync("vmmute");
        using var http = _app.NewHttpClient();
        var agent = new VmAgent(http, key, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new VmAgentOptions { Fault = new AgentFault(AgentFault.Silent), Hold = TimeSpan.Zero });
        await agent.PollOnceAsync(CancellationToken.None); // fetches the task, answers nothing

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await RunWatchdogAsync());
        var job = await _app.Arm.GetAsync($"{ArmTestClient.VaultPath("rg-mute", "vault1")}/backupJobs/{jobName}");
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("GuestAgentSnapshotTaskStatusError", job["properties"]!["errorDetails"]![0]!["errorTitle"]!.GetValue<string>());

        // The late answer: accepted politely, changes nothing.
        var ext = await _app.Arm.GetAsync(ArmTestClient.VmPath("rg-mute", "vmmute") + "/extensions/VMSnapshotLinux", "2024-11-01");
        var taskId = ext["properties"]!["settings"]!["taskId"]!.GetValue<string>();
        using var late = new HttpRequestMessage(HttpMethod.Post, $"/agent/v1/tasks/{taskId}/status")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { status = "success", code = 1 }),
        };
        late.Headers.Authorization = new("VmAgent", agent.Identity.Credential);
        using var answer = await http.SendAsync(late);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"Failed\"", await answer.Content.ReadAsStringAsync());
        job = await _app.Arm.GetAsync($"{ArmTestClient.VaultPath("rg-mute", "vault1")}/backupJobs/{jobName}");
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Empty((await _app.Arm.GetAsync(ArmTestClient.ItemPath("rg-mute", "vault1", "vmmute") + "/recoveryPoints"))["value"]!.AsArray());
    }

    [Fact]
    public async Task A_VM_whose_agent_was_never_heard_from_past_boot_time_fails_at_once_without_a_task()
    {
        await _app.Arm.ProtectedVmAsync("rg-never", "vault1", "vmnever");
        _time.Advance(TimeSpan.FromMinutes(5)); // longer than any agent takes to come up

        var due = await _app.Arm.RunDueAsync("rg-never");
        var job = due["jobs"]!.AsArray().Single()!;
        Assert.Equal("Failed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("UserErrorGuestAgentStatusUnavailable", ArmTestClient.ErrorOf(job));
        Assert.Contains("Not Ready", job["properties"]!["errorDetails"]![0]!["errorString"]!.GetValue<string>());
        Assert.Empty((await _app.Arm.GetAsync(ArmTestClient.VmPath("rg-never", "vmnever") + "/extensions", "2024-11-01"))["value"]!.AsArray());
        Assert.Equal(0, await RunWatchdogAsync()); // nothing left waiting for a timeout
    }

    [Fact]
    public async Task A_delivered_task_never_acknowledged_is_offered_again_when_its_lease_ends_and_completes_once()
    {
        await _app.Arm.ProtectedVmAsync("rg-lease", "vault1", "vmlease");
        var job = await _app.Arm.BackupNowAsync("rg-lease", "vault1", "vmlease");

        // The goal state reaches the VM but is lost before the agent acts on it (no acknowledgement).
        using var http = _app.NewHttpClient();
        var identity = await _app.RegisterAgentAsync("vmlease");
        var first = await GoalStateAsync(http, identity, -1);
        var taskId = first["extensions"]![0]!["publicSettings"]!["taskId"]!.GetValue<string>();

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var orchestrator = scope.ServiceProvider.GetRequiredService<TaskTimeouts>();
            Assert.Equal(0, await orchestrator.ReofferExpiredLeasesAsync(CancellationToken.None)); // the lease still runs
            _time.Advance(TimeSpan.FromSeconds(61));
            Assert.Equal(1, await orchestrator.ReofferExpiredLeasesAsync(CancellationToken.None));
        }
        // An agent waiting on the incarnation it has is woken at once with the same task.
        var again = await GoalStateAsync(http, identity, first["incarnation"]!.GetValue<long>(), waitSeconds: 60);
        Assert.True(again["incarnation"]!.GetValue<long>() > first["incarnation"]!.GetValue<long>());
        Assert.Equal(taskId, again["extensions"]![0]!["publicSettings"]!["taskId"]!.GetValue<string>());

        var agent = await _app.StartAgentAsync("vmlease");
        var done = await _app.Arm.WaitForJobAsync("rg-lease", "vault1", job["name"]!.GetValue<string>());
        Assert.Equal("Completed", done["properties"]!["status"]!.GetValue<string>());
        Assert.Single((await _app.Arm.GetAsync(ArmTestClient.ItemPath("rg-lease", "vault1", "vmlease") + "/recoveryPoints"))["value"]!.AsArray());
        Assert.Equal(2, agent.SnapshotsTaken); // one per disk: the redeliveries made no second snapshot
    }

    [Fact]
    public async Task A_silent_fault_set_at_run_time_ends_in_GuestAgentSnapshotTaskStatusError_after_the_timeout()
    {
        await _app.Arm.ProtectedVmAsync("rg-quiet", "vault1", "vmquiet");
        var agent = await _app.StartAgentAsync("vmquiet");
        await _app.SetFaultAsync("vmquiet", new { mode = "silent" });
        var job = await _app.Arm.BackupNowAsync("rg-quiet", "vault1", "vmquiet");
        var jobPath = $"{ArmTestClient.VaultPath("rg-quiet", "vault1")}/backupJobs/{job["name"]!.GetValue<string>()}";
        await Poll.Until(async () =>
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BackupControlPlane.Api.Data.BackupDbContext>();
            return await db.AgentTasks.AnyAsync(t => t.JobId == Guid.Parse(job["name"]!.GetValue<string>()) && t.DeliveredAt != null);
        }, "the silent agent to take the task");

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await RunWatchdogAsync());
        var failed = await _app.Arm.GetAsync(jobPath);
        Assert.Equal("GuestAgentSnapshotTaskStatusError", ArmTestClient.ErrorOf(failed));
        Assert.Equal(0, agent.SnapshotsTaken);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> GoalStateAsync(HttpClient http, AgentIdentity identity, long incarnation, int waitSeconds = 0)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/agent/v1/goalstate?incarnation={incarnation}&waitSeconds={waitSeconds}");
        request.Headers.Authorization = new("VmAgent", await identity.CredentialAsync(CancellationToken.None));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
