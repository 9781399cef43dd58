using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// A node killed between recording the recovery point and finishing its copy to the vault leaves the task Transferring;
/// the agent's retry is answered "Transferring", so only the watchdog can finish it. Here the cut-off is reproduced
/// exactly (the database rolled back to that moment, the vault copies gone) and the watchdog job runs as Hangfire runs it.
/// </summary>
public sealed class TransferResumeTests
{
    [Fact]
    public async Task The_watchdog_finishes_a_transfer_whose_node_died_with_one_recovery_point()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:TransferLease"] = "00:00:01" });
        const string rg = "rg-resume", vault = "vault1", vm = "vm1";
        await app.Arm.ProtectedVmAsync(rg, vault, vm);
        await app.StartAgentAsync(vm);
        var jobName = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), vm);
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, vault, jobName))["properties"]!["status"]!.GetValue<string>());

        // Back to the moment of the kill: point recorded, task Transferring, job InProgress, vault copies not (all) written.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
            var job = await db.BackupJobs.SingleAsync(j => j.Id == Guid.Parse(jobName));
            var task = await db.AgentTasks.SingleAsync(t => t.JobId == job.Id);
            var rp = await db.RecoveryPoints.Include(r => r.Disks).SingleAsync(r => r.JobId == job.Id);
            job.Status = JobStatuses.InProgress;
            job.EndTime = null;
            job.TransferTaskStatus = JobStatuses.InProgress;
            job.TransferTaskEnd = null;
            job.TransferTaskStart = DateTimeOffset.UtcNow.AddMinutes(-1);
            task.State = AgentTaskStates.Transferring;
            task.LeaseExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1); // the node holding the transfer died a minute ago
            task.CompletedAt = null;
            rp.HardenedRpValid = false;
            foreach (var disk in rp.Disks)
            {
                await app.Blobs.GetBlobContainerClient(disk.VaultContainer).DeleteBlobAsync(disk.VaultBlobName);
                disk.VaultContainer = disk.VaultBlobName = null;
            }
            await db.SaveChangesAsync();
        }
        Assert.Equal("InProgress", (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, vault)}/backupJobs/{jobName}"))["properties"]!["status"]!.GetValue<string>());

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BackupWatchdog>().RunAsync(CancellationToken.None);

        Assert.Equal("Completed", (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, vault)}/backupJobs/{jobName}"))["properties"]!["status"]!.GetValue<string>());
        var point = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, vault, vm) + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Contains("HardenedRP", point["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rp = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPoints.Include(r => r.Disks).SingleAsync(r => r.JobId == Guid.Parse(jobName));
            foreach (var disk in rp.Disks)
                Assert.True(await app.Blobs.GetBlobContainerClient(disk.VaultContainer).GetBlobClient(disk.VaultBlobName).ExistsAsync(), $"vault copy of disk {disk.Lun}");
        }
    }
}
