using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Backups;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>
/// "Transfer data to vault" is a Hangfire job of its own (VaultTransferJob). Here a transfer cut off mid-way (the
/// database rolled back to that moment, the vault copies gone) is run again as Hangfire runs it after a restart, and a
/// transfer whose snapshots vanished fails its backup without leaving a recovery point.
/// </summary>
public sealed class VaultTransferTests
{
    private const string Vault = "vault1", Vm = "vm1";

    [Fact]
    public async Task A_transfer_cut_off_mid_way_run_again_settles_with_one_recovery_point()
    {
        using var app = await EmulatorApp.StartAsync();
        const string rg = "rg-resume";
        var jobName = await CutOffTransferAsync(app, rg);
        Assert.Equal("InProgress", (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, Vault)}/backupJobs/{jobName}"))["properties"]!["status"]!.GetValue<string>());

        await RunTransferJobAsync(app, jobName);
        await RunTransferJobAsync(app, jobName); // a second run (a duplicate delivery) changes nothing

        Assert.Equal("Completed", (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, Vault)}/backupJobs/{jobName}"))["properties"]!["status"]!.GetValue<string>());
        var point = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, Vm) + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Contains("HardenedRP", point["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rp = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPoints.Include(r => r.Disks).SingleAsync(r => r.JobId == Guid.Parse(jobName));
            foreach (var disk in rp.Disks)
                Assert.True(await app.Blobs.GetBlobContainerClient(disk.VaultContainer).GetBlobClient(disk.VaultBlobName).ExistsAsync(), $"vault copy of disk {disk.Lun}");
        }
    }

    [Fact]
    public async Task A_transfer_whose_snapshots_are_gone_fails_the_backup_and_leaves_no_recovery_point()
    {
        using var app = await EmulatorApp.StartAsync();
        const string rg = "rg-transfer-fails";
        var jobName = await CutOffTransferAsync(app, rg);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rp = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPoints.Include(r => r.Disks).SingleAsync(r => r.JobId == Guid.Parse(jobName));
            foreach (var disk in rp.Disks)
            {
                var source = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(disk.SourceBlobUri));
                await app.Blobs.GetBlobContainerClient(source.BlobContainerName).GetBlobClient(source.BlobName).WithSnapshot(disk.Snapshot).DeleteAsync();
            }
        }

        await RunTransferJobAsync(app, jobName);

        var job = (await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, Vault)}/backupJobs/{jobName}"))["properties"]!;
        Assert.Equal("Failed", job["status"]!.GetValue<string>());
        Assert.Equal("BackUpOperationFailed", job["errorDetails"]![0]!["errorTitle"]!.GetValue<string>());
        Assert.Empty((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, Vm) + "/recoveryPoints"))["value"]!.AsArray());
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<BackupDbContext>().RecoveryPoints.AnyAsync(r => r.JobId == Guid.Parse(jobName)));
        var item = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, Vault, Vm)))["properties"]!;
        Assert.Equal("Failed", item["lastBackupStatus"]!.GetValue<string>());
    }

    /// <summary>A finished backup, rolled back to the moment its transfer began: point recorded, task Transferring, no vault copies.</summary>
    private static async Task<string> CutOffTransferAsync(EmulatorApp app, string rg)
    {
        await app.Arm.ProtectedVmAsync(rg, Vault, Vm);
        await app.StartAgentAsync(Vm);
        var jobName = ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(rg), Vm);
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, Vault, jobName))["properties"]!["status"]!.GetValue<string>());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var job = await db.BackupJobs.SingleAsync(j => j.Id == Guid.Parse(jobName));
        var task = await db.AgentTasks.SingleAsync(t => t.JobId == job.Id);
        var rp = await db.RecoveryPoints.Include(r => r.Disks).SingleAsync(r => r.JobId == job.Id);
        job.Status = JobStatuses.InProgress;
        job.EndTime = null;
        job.TransferTaskStatus = JobStatuses.InProgress;
        job.TransferTaskEnd = null;
        task.State = AgentTaskStates.Transferring;
        task.CompletedAt = null;
        rp.HardenedRpValid = false;
        foreach (var disk in rp.Disks)
        {
            await app.Blobs.GetBlobContainerClient(disk.VaultContainer).DeleteBlobAsync(disk.VaultBlobName);
            disk.VaultContainer = disk.VaultBlobName = null;
        }
        await db.SaveChangesAsync();
        return jobName;
    }

    /// <summary>The transfer job as Hangfire runs it, on its last attempt (no PerformContext: no retry left).</summary>
    private static async Task RunTransferJobAsync(EmulatorApp app, string jobName)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var taskId = await scope.ServiceProvider.GetRequiredService<BackupDbContext>().AgentTasks.Where(t => t.JobId == Guid.Parse(jobName)).Select(t => t.Id).SingleAsync();
        await scope.ServiceProvider.GetRequiredService<VaultTransferJob>().RunAsync(taskId, null, CancellationToken.None);
    }
}
