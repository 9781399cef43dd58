using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Agent;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Jobs;

public sealed class JobCancelTests
{
    [Fact]
    public async Task A_backup_is_cancelled_during_its_snapshot_phase_and_its_task_withdrawn_from_the_agent()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-cancel-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmcancel");
        var due = await app.Arm.RunDueAsync(rg);
        var jobName = ArmTestClient.BackupJobOf(due, "vmcancel");
        var jobPath = $"{ArmTestClient.VaultPath(rg, "vault1")}/backupJobs/{jobName}";

        using var cancel = await app.Arm.SendAsync(HttpMethod.Post, jobPath + "/cancel");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Contains($"/backupJobs/{jobName}/operationResults/", cancel.Headers.Location!.ToString());
        using (var result = await app.Client.GetAsync(cancel.Headers.Location)) Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        var job = (await app.Arm.GetAsync(jobPath))["properties"]!;
        Assert.Equal("Cancelled", job["status"]!.GetValue<string>());
        Assert.Equal("Cancelled", job["extendedInfo"]!["tasksList"]![0]!["status"]!.GetValue<string>());

        // The agent no longer gets the command.
        using var http = app.NewHttpClient();
        using var identity = await app.RegisterAgentAsync("vmcancel");
        using var poll = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.GoalState + "?waitSeconds=0");
        poll.Headers.Authorization = new AuthenticationHeaderValue("VmAgent", identity.Credential);
        using var goal = await http.SendAsync(poll);
        var state = (await goal.Content.ReadFromJsonAsync<AgentGoalState>())!;
        Assert.All(state.Extensions, e => Assert.Null(e.ProtectedSettings));

        using var again = await app.Arm.SendAsync(HttpMethod.Post, jobPath + "/cancel");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("BMSUserErrorJobNotCancellable", await again.Content.ReadAsStringAsync());
    }
}
