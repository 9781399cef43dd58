using BackupControlPlane.Agent;
using BackupControlPlane.Contracts;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
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
        return await scope.ServiceProvider.GetRequiredService<BackupOrchestrator>().FailTimedOutTasksAsync(CancellationToken.None);
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
}
