using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Tests.Features.Agents;
using BackupControlPlane.Api.Tests.Features.Policies;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Guarantees;

/// <summary>
/// State stays bounded however long the service runs: day after day of backups through the real service (scheduled
/// slots and backups now, real agents, real blobs, the clock moved a day per round), with the daily maintenance after
/// each, the rows of jobs, operations and agent tasks stay within what their windows allow, and the process's managed
/// memory levels off (logged, not asserted: it is the whole test process's heap).
/// </summary>
[Collection(HeavyAloneCollection.Name)]
public sealed class BoundedStateTests(ITestOutputHelper output)
{
    private const int Vms = 4;
    private const int Rounds = 16; // days: five times the job window, enough for unbounded growth to pass the bound three times over (asserted below)
    private const int JobWindowDays = 3;
    private const int PointDays = 3; // the policy keeps its daily points this long, and their jobs with them

    [Fact]
    public async Task Many_days_of_backups_keep_jobs_operations_and_tasks_within_their_windows()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new()
        {
            ["Emulator:JobHistoryRetention"] = $"{JobWindowDays}.00:00:00", ["Emulator:OperationRetention"] = "1.00:00:00",
            ["Emulator:AgentTaskRetention"] = "1.00:00:00",
        });
        // The clock moves by days; SAS URIs stay valid because they are signed on the transport clock (Azurite checks
        // them against real time), which this test leaves alone.
        const string rg = "rg-bounded";
        var vault = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault1");
        using (var policy = await app.Arm.SendAsync(HttpMethod.Put, vault + "/backupPolicies/daily3", PolicyTests.DailyPolicy("2020-01-01T02:00:00Z", PointDays, instantDays: 1)))
            Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var vms = Enumerable.Range(0, Vms).Select(i => $"vmb{i}").ToList();
        foreach (var vm in vms)
        {
            await app.Arm.PutVmAsync(rg, vm);
            using var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", vm, "daily3");
            Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
            await app.StartAgentAsync(vm);
        }
        // Every agent up before the clock moves: an agent still making its key a day later would count as Not Ready.
        foreach (var vm in vms)
            await Poll.Until(async () => (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm) + "/instanceView", "2024-07-01"))["vmAgent"]!["statuses"]![0]!["displayStatus"]!.GetValue<string>() == "Ready",
                $"the agent of {vm} to be Ready");

        // Per VM and day one scheduled backup, plus one backup now of the first VM: kept while inside the job window
        // or while their point lives (policy points PointDays, the backups now two days), one day more for the edges.
        var jobBound = Vms * (Math.Max(JobWindowDays, PointDays) + 2) + (JobWindowDays + 2);
        var taskBound = 2 * (Vms + 1); // one day of tasks, and the day before's at the edge
        output.WriteLine("round  jobs  operations  tasks  points  managed MiB  of it captured logs  rest MiB  slot waiters");
        for (var round = 1; round <= Rounds; round++)
        {
            time.Advance(TimeSpan.FromDays(1));
            await app.RenewTokenAsync();
            var due = await app.Arm.RunDueAsync(rg);
            foreach (var vm in vms)
            {
                var job = await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, vm));
                Assert.True(job["properties"]!["status"]!.GetValue<string>() == "Completed", $"round {round}: {job}");
            }
            await BackupNowAsync(app, rg, vms[0], time.GetUtcNow().AddDays(2));
            using (var maintenance = await app.Client.PostAsync("/emulator/maintenance/run", null))
                Assert.Equal(HttpStatusCode.OK, maintenance.StatusCode);

            var counts = await CountsAsync(app);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var managed = GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024);
            // The test host keeps every log line of the run for the secret scan (CapturedLogs): its growth is the test's, not the service's.
            var logs = CapturedLogs.All.Sum(l => 2.0 * l.Length + 56) / (1024 * 1024);
            var waiting = app.Services.GetRequiredService<SlotSignals>().Waiting;
            output.WriteLine($"{round,5}  {counts.Jobs,4}  {counts.Operations,10}  {counts.Tasks,5}  {counts.Points,6}  {managed,11:0.0}  {logs,19:0.0}  {managed - logs,8:0.0}  {waiting,12}");
            Assert.True(counts.Jobs <= jobBound, $"round {round}: {counts.Jobs} jobs, more than the windows allow ({jobBound})");
            Assert.True(counts.Operations <= 2, $"round {round}: {counts.Operations} operations kept past a day");
            Assert.True(counts.Tasks <= taskBound, $"round {round}: {counts.Tasks} agent tasks kept past a day ({taskBound} allowed)");
            Assert.Equal(0, waiting); // run-due's waiters ended with their slots
        }
        // Without pruning there would be a job per VM and round, and one more per round for the backup now.
        Assert.True(Rounds * (Vms + 1) > 3 * jobBound, "the test runs long enough for unbounded growth to show");
        var listed = (await app.Arm.GetAsync(vault + "/backupJobs"))["value"]!.AsArray();
        Assert.Equal((await CountsAsync(app)).Jobs, listed.Count);
    }

    private static async Task BackupNowAsync(EmulatorApp app, string rg, string vm, DateTimeOffset expiry)
    {
        using var accepted = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, "vault1", vm) + "/backup",
            new { properties = new { objectType = "IaasVMBackupRequest", recoveryPointExpiryTimeInUTC = expiry } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var operation = await app.Arm.GetAsync(new Uri(accepted.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", operation["properties"]!["jobId"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
    }

    private sealed record Counts(int Jobs, int Operations, int Tasks, int Points);

    private static async Task<Counts> CountsAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        return new Counts(await db.BackupJobs.CountAsync(), await db.AsyncOperations.CountAsync(), await db.AgentTasks.CountAsync(), await db.RecoveryPoints.CountAsync());
    }
}
