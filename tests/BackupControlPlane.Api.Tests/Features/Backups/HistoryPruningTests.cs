using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>
/// The daily maintenance prunes history past its window, on the emulated clock: finished jobs, operations and agent
/// tasks go; a running job, the job of a recovery point that still exists and an item's latest settled backup stay.
/// </summary>
public sealed class HistoryPruningTests
{
    [Fact]
    public async Task Old_history_goes_and_what_is_still_needed_stays()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new()
        {
            ["Emulator:JobHistoryRetention"] = "2.00:00:00", ["Emulator:OperationRetention"] = "01:00:00", ["Emulator:AgentTaskRetention"] = "01:00:00",
        });
        const string rg = "rg-history";
        foreach (var vm in new[] { "vmok", "vmfail", "vmstuck" }) await app.Arm.ProtectedVmAsync(rg, "vault1", vm);
        await app.StartAgentAsync("vmok");
        await app.StartAgentAsync("vmfail");
        await app.SetFaultAsync("vmfail", new { mode = "fail", code = 402 });

        // A VM whose agent never comes: its task stays out (its job InProgress until the watchdog fails it).
        var kept = new List<string> { (await app.Arm.BackupNowAsync(rg, "vault1", "vmstuck"))["name"]!.GetValue<string>() };
        for (var i = 0; i < 2; i++) kept.Add(await FinishedBackupAsync(app, rg, "vmok", "Completed")); // each made a recovery point (kept 30 days)
        var firstFailure = await FinishedBackupAsync(app, rg, "vmfail", "Failed");
        time.Advance(TimeSpan.FromMinutes(1)); // so the second failure is the later one
        kept.Add(await FinishedBackupAsync(app, rg, "vmfail", "Failed")); // the item's latest settled backup: its health
        using (var accepted = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, "vault1", "vmok") + "/backup",
                   new { properties = new { objectType = "IaasVMBackupRequest" } }))
        {
            // A backup whose operation URL a client could still poll: after the window it answers 404.
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var operation = new Uri(accepted.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath;
            var job = (await app.Arm.GetAsync(operation))["properties"]!["jobId"]!.GetValue<string>();
            Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, "vault1", job))["properties"]!["status"]!.GetValue<string>());
            kept.Add(job);

            var before = await CountsAsync(app);
            time.Advance(TimeSpan.FromDays(3));
            await app.RenewTokenAsync();
            var result = await MaintenanceAsync(app);
            var after = await CountsAsync(app);

            // Three ConfigureBackup jobs and the first failure went; the operations and finished tasks all went.
            Assert.Equal(4, result["retention"]!["jobsPruned"]!.GetValue<int>());
            Assert.Equal(before.Jobs - 4, after.Jobs);
            Assert.Equal(0, after.Operations);
            Assert.Equal(1, after.Tasks); // vmstuck's task, still out with its (absent) agent
            Assert.True(before.Tasks > 1 && before.Operations > 0);
            var listed = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs"))["value"]!.AsArray().Select(j => j!["name"]!.GetValue<string>());
            Assert.Equal(kept.Order(), listed.Order());
            Assert.DoesNotContain(firstFailure, listed);
            using var gone = await app.Arm.SendAsync(HttpMethod.Get, operation);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // The failed item still says why, from the job that was kept for it.
        var item = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmfail")))["properties"]!;
        Assert.Equal("ActionRequired", item["healthStatus"]!.GetValue<string>());
        Assert.Equal("ExtentionOperationFailed", item["healthDetails"]![0]!["title"]!.GetValue<string>());

        // Idempotent: nothing more goes on a second run.
        var again = await MaintenanceAsync(app);
        Assert.Equal(0, again["retention"]!["jobsPruned"]!.GetValue<int>());
        Assert.Equal(0, again["retention"]!["operationsPruned"]!.GetValue<int>());
        Assert.Equal(0, again["retention"]!["agentTasksPruned"]!.GetValue<int>());
    }

    private static async Task<string> FinishedBackupAsync(EmulatorApp app, string rg, string vm, string status)
    {
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", vm))["name"]!.GetValue<string>());
        Assert.Equal(status, job["properties"]!["status"]!.GetValue<string>());
        return job["name"]!.GetValue<string>();
    }

    private static async Task<JsonNode> MaintenanceAsync(EmulatorApp app)
    {
        using var response = await app.Client.PostAsync("/emulator/maintenance/run", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private sealed record Counts(int Jobs, int Operations, int Tasks);

    private static async Task<Counts> CountsAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        return new Counts(await db.BackupJobs.CountAsync(), await db.AsyncOperations.CountAsync(), await db.AgentTasks.CountAsync());
    }
}
