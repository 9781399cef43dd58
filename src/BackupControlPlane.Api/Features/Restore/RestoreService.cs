using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// Restore disks, as Azure Backup does it: a Restore job copies each disk of a recovery point into a container of the
/// target storage account (from the snapshot tier while it holds, else from the vault copy) and leaves a config blob
/// describing the VM and a deployment template beside them. The request only records the job; a Hangfire job does the
/// copying, and can run again after a crash without duplicating anything.
/// </summary>
public sealed partial class RestoreService(
    BackupDbContext db, BlobStorage storage, ExpressJobs express, TimeProvider time, ILogger<RestoreService> logger,
    ManagedDiskRestore managedDisks, AlternateLocationRestore newVm, OriginalLocationRestore replace)
{
    // The propertyBag keys of a restore-disks job, spelled as Azure spells them ("Recovery point time " does end in a space).
    public const string JobTypeKey = "Job Type";
    public const string RecoveryPointTimeKey = "Recovery point time ";
    public const string StorageAccountKey = "Target Storage Account Name";
    public const string TargetResourceGroupKey = "Target resource group";
    public const string ContainerKey = "Config Blob Container Name";
    public const string ConfigBlobKey = "Config Blob Name";
    public const string ConfigBlobUriKey = "Config Blob Uri";
    public const string TemplateBlobUriKey = "Template Blob Uri";
    public const string TargetVmNameKey = "Target VM Name";

    private enum Tier { Snapshot, Vault }

    /// <summary>
    /// Records an InProgress Restore job and its (finished) operation, and enqueues the job that does the work. Refuses a
    /// second restore of the item while one runs. Target names are fixed here, so every run of the job writes the same blobs.
    /// </summary>
    /// <param name="secondaryRegion">A cross-region restore: the vault's secondary region, where the job runs and is listed; it reads the vault tier only.</param>
    public async Task<AsyncOperation> StartAsync(Vault vault, ProtectedItem item, RecoveryPoint point, RestoreEndpoints.RestoreTarget target, CancellationToken ct,
        string? secondaryRegion = null)
    {
        var vm = item.VirtualMachine!;
        var now = time.GetUtcNow();
        var jobId = Guid.NewGuid();
        // Named as Azure names them: "{vm}-{32 hex}", "config-{vm}-{job}.json", "azuredeploy{job}.json".
        var luns = point.Disks.Select(d => d.Lun).Where(l => l < 0 || target.DataDiskLuns is null || target.DataDiskLuns.Contains(l));
        var plan = new RestorePlan(target.StorageAccount, $"{ContainerPrefix(vm.Name)}-{Guid.NewGuid():N}",
            $"config-{vm.Name}-{jobId}.json", $"azuredeploy{jobId}.json", target.DataDiskLuns, VaultTierOnly: secondaryRegion is not null, Rehydrate: target.Rehydrate,
            Mode: target.Mode,
            Managed: target.Managed is { } managed ? ManagedDiskRestore.Plan(managed, luns, now) : null,
            NewVm: target.NewVm is { } created ? new NewVmPlan(created.Name, Guid.NewGuid(), $"{created.Name}-nic-{Guid.NewGuid().ToString("N")[..8]}", created.SubnetId) : null,
            OriginalStorageAccount: target.OriginalStorageAccount);
        var bag = new Dictionary<string, string>
        {
            [ContainerKey] = plan.Container,
            [ConfigBlobKey] = plan.ConfigBlob,
            [JobTypeKey] = target.Mode switch
            {
                RestoreModes.AlternateLocation => "Recover VM", RestoreModes.OriginalLocation => "Replace disks", _ => "Recover disks",
            },
            [RecoveryPointTimeKey] = point.RecoveryPointTime.UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture),
            [StorageAccountKey] = target.StorageAccount,
            [TargetResourceGroupKey] = target.TargetResourceGroup,
        };
        if (target.NewVm is { } vmTarget) bag[TargetVmNameKey] = vmTarget.Name;
        var job = new BackupJob
        {
            Id = jobId, VaultId = vault.Id, ProtectedItemId = item.Id, EntityFriendlyName = vm.Name, Operation = JobOperations.Restore,
            Status = JobStatuses.InProgress, StartTime = now, ActivityId = Guid.NewGuid(), RecoveryPointId = point.Id,
            TransferTaskStatus = JobStatuses.InProgress, TransferTaskStart = now, PropertyBagJson = JsonSerializer.Serialize(bag), Region = secondaryRegion,
        };
        var op = AsyncOperation.Succeeded(vault.Id, job.Id, now);

        // SQLite transactions here begin IMMEDIATE (the write lock first), so two concurrent requests cannot both pass the check.
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var running = await db.BackupJobs.AnyAsync(j => j.ProtectedItemId == item.Id && j.Operation == JobOperations.Restore
                && (j.Status == JobStatuses.InProgress || j.Status == JobStatuses.Cancelling), ct);
            if (running)
                throw new ArmException(400, BackupErrors.AnotherRestoreInProgress.Code,
                    $"{BackupErrors.AnotherRestoreInProgress.Message} A restore of '{vm.Name}' is running; wait for its job to finish, then retry.");
            db.BackupJobs.Add(job);
            db.AsyncOperations.Add(op);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        try
        {
            // The Hangfire job as the safety net, its work started at once (Infrastructure/ExpressJobs).
            var restoreJobId = job.Id;
            express.Run<RestoreJob>(await express.PrepareAsync<RestoreJob>(j => j.RunAsync(restoreJobId, plan, CancellationToken.None), CancellationToken.None), (j, token) => j.RunAsync(restoreJobId, plan, token));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without its Hangfire job the restore would never end: fail it now rather than leave it InProgress.
            await FailAsync(job.Id, BackupErrors.BackUpOperationFailed, $"The restore could not be queued: {e.Message}", CancellationToken.None);
            throw;
        }
        logger.LogInformation("Restore job {JobId}: point {Point} of {Vm} to {Account}/{Container}", job.Id, point.Name, vm.Name, plan.StorageAccount, plan.Container);
        return op;
    }

    /// <summary>
    /// The work of one Restore job. Does nothing unless the job is still InProgress; every blob it writes has a name fixed
    /// by <paramref name="plan"/> and is overwritten whole, so a re-run after a crash leaves the same output, once.
    /// </summary>
    public async Task RunAsync(Guid jobId, RestorePlan plan, CancellationToken ct)
    {
        var job = await db.BackupJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job?.Status != JobStatuses.InProgress) return; // finished by an earlier run, or cancelled
        try
        {
            await RestoreAsync(job, plan, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Shutdown rethrows (Hangfire runs the job again after the restart); anything else ends the job, never leaves it InProgress.
            logger.LogWarning(e, "Restore job {JobId} failed", jobId);
            await FailAsync(jobId, BackupErrors.BackUpOperationFailed, $"Restoring the disks failed: {e.Message}", CancellationToken.None);
        }
    }

    private async Task RestoreAsync(BackupJob job, RestorePlan plan, CancellationToken ct)
    {
        var point = await db.RecoveryPoints.AsNoTracking().Include(r => r.Disks).FirstOrDefaultAsync(r => r.Id == job.RecoveryPointId, ct);
        if (point is null)
        {
            await FailAsync(job.Id, BackupErrors.InstantRpNotFound, "The recovery point no longer exists: its backup data was deleted after the restore was requested.", ct);
            return;
        }
        var vmId = await db.ProtectedItems.Where(i => i.Id == point.ProtectedItemId).Select(i => i.VirtualMachineId).FirstAsync(ct);
        var vm = await db.VirtualMachines.AsNoTracking().Include(v => v.Disks).ThenInclude(d => d.ManagedDisk).FirstAsync(v => v.Id == vmId, ct);
        var disks = point.Disks.Where(d => d.Lun < 0 || plan.DataDiskLuns is null || plan.DataDiskLuns.Contains(d.Lun)).OrderBy(d => d.Lun).ToList();
        var state = PointVmState.OfPoint(point, vm);

        var tier = await ChooseTierAsync(point, disks, plan.VaultTierOnly, ct);
        if (tier is null)
        {
            await FailAsync(job.Id, BackupErrors.InstantRpNotFound,
                $"{BackupErrors.InstantRpNotFound.Message} Recovery point {point.Name} has neither its disk snapshots nor a vault copy.", ct);
            return;
        }

        Task<long> Copy(RecoveryPointDisk disk, string container, string blob) => tier == Tier.Snapshot
            ? storage.CopyPageBlobAsync(SourceBlob(disk).BlobContainerName, SourceBlob(disk).BlobName, disk.Snapshot, container, blob, ct)
            : storage.CopyPageBlobAsync(disk.VaultContainer!, disk.VaultBlobName!, null, container, blob, ct);

        // The staging container holds the config blob and template (and the pre-restore copy) even when no VHD lands in it.
        await storage.CreateContainerAsync(plan.Container, ct);
        if (plan.Mode == RestoreModes.OriginalLocation) await replace.PreserveAsync(vm, disks.Select(d => d.Lun), plan.Container, ct);
        var restored = new List<RestoreArtifacts.RestoredDisk>();
        if (plan.Managed is { } managed)
            restored = await managedDisks.CopyAsync(job.Id, managed, disks, state, Copy, ct);
        else
            foreach (var disk in disks)
            {
                var fileName = SourceBlob(disk).BlobName.Split('/')[^1]; // the disk's own file name, "{disk}.vhd"
                // Original storage account: beside the VM's own VHDs, in a folder of this job; else in the staging container.
                var (container, blobName) = plan.OriginalStorageAccount
                    ? (SourceBlob(disk).BlobContainerName, $"restored-{job.Id:N}/{fileName}") : (plan.Container, fileName);
                var size = await Copy(disk, container, blobName);
                var vmDisk = state.Disks.FirstOrDefault(d => d.Lun == disk.Lun);
                restored.Add(new(disk.Lun, Path.GetFileNameWithoutExtension(fileName), vmDisk?.DiskSizeGB, storage.BlobUri(container, blobName), size));
            }
        var configUri = await UploadAsync(plan.Container, plan.ConfigBlob, RestoreArtifacts.ConfigBlob(vm, restored), "application/json; charset=utf-16", ct);
        var templateUri = await UploadAsync(plan.Container, plan.TemplateBlob, RestoreArtifacts.Template(vm, restored), "application/json", ct);
        await storage.FlushAsync(ct); // the restored disks and artifacts are durable before the job says Completed

        var bag = JsonSerializer.Deserialize<Dictionary<string, string>>(job.PropertyBagJson ?? "{}")!;
        bag[ConfigBlobUriKey] = configUri.ToString();
        bag[TemplateBlobUriKey] = templateUri.ToString();
        var json = JsonSerializer.Serialize(bag);
        var now = (DateTimeOffset?)time.GetUtcNow();
        // The resources the restore made and the job's completion are one transaction: never a half-restored VM.
        await using var tx = await db.BeginWriteAsync(ct);
        if (plan.Managed is { } target)
        {
            await ImplicitResourceGroups.EnsureAsync(db, target.SubscriptionId, target.ResourceGroup, target.Location, now.Value, ct);
            if (plan.NewVm is { } created) await newVm.AddVmAsync(created, target, restored, state, ct);
            if (plan.Mode == RestoreModes.OriginalLocation) await replace.SwapAsync(vm.Id, restored, plan.DataDiskLuns is null, ct);
            await db.SaveChangesAsync(ct);
        }
        // Guarded by the status read at the start: a job cancelled meanwhile stays as the canceller left it (and nothing is made).
        var updated = await db.BackupJobs.Where(j => j.Id == job.Id && j.Status == JobStatuses.InProgress).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, JobStatuses.Completed).SetProperty(j => j.EndTime, now)
            .SetProperty(j => j.TransferTaskStatus, JobStatuses.Completed).SetProperty(j => j.TransferTaskEnd, now)
            .SetProperty(j => j.PropertyBagJson, json), ct);
        if (updated == 1)
        {
            await tx.CommitAsync(ct);
            Infrastructure.Telemetry.BcpTelemetry.JobEntered(job.Operation, JobStatuses.Completed, now - job.StartTime);
        }
        logger.LogInformation("Restore job {JobId}: {Count} disks from the {Tier} tier into {Container}{Note}", job.Id, restored.Count,
            tier, plan.Container, updated == 0 ? " (the job had already left InProgress)" : "");
    }

    /// <summary>
    /// The snapshot tier while it is valid and its snapshots still exist (checked, not trusted), else the vault copy (a rehydrated archive point's too).
    /// A snapshot found missing invalidates the tier, so the recovery point shows what is left, as Azure does.
    /// </summary>
    private async Task<Tier?> ChooseTierAsync(RecoveryPoint point, List<RecoveryPointDisk> disks, bool vaultTierOnly, CancellationToken ct)
    {
        if (!vaultTierOnly && point.InstantRpValid && !(point.InstantRpExpiryTime <= time.GetUtcNow()))
        {
            if (await AllExistAsync(disks.Select(d => Blob(SourceBlob(d).BlobContainerName, SourceBlob(d).BlobName).WithSnapshot(d.Snapshot)), ct))
                return Tier.Snapshot;
            await db.RecoveryPoints.Where(r => r.Id == point.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.InstantRpValid, false), ct);
            logger.LogWarning("Recovery point {Point}: a disk snapshot is gone; the snapshot tier is no longer valid", point.Name);
        }
        if ((point.HardenedRpValid || point.ArchivedRpStatus == ArchiveStatuses.Rehydrated) && disks.All(d => d.VaultContainer is not null && d.VaultBlobName is not null)
            && await AllExistAsync(disks.Select(d => Blob(d.VaultContainer!, d.VaultBlobName!)), ct))
            return Tier.Vault;
        return null;
    }

    private static async Task<bool> AllExistAsync(IEnumerable<BlobClient> blobs, CancellationToken ct)
    {
        foreach (var blob in blobs)
            if (!await blob.ExistsAsync(ct)) return false;
        return true;
    }

    private BlobClient Blob(string container, string blob) => storage.Service.GetBlobContainerClient(container).GetBlobClient(blob);

    private static BlobUriBuilder SourceBlob(RecoveryPointDisk disk) => new(new Uri(disk.SourceBlobUri));

    private async Task<Uri> UploadAsync(string container, string blob, byte[] content, string contentType, CancellationToken ct)
    {
        var client = Blob(container, blob);
        await client.UploadAsync(new BinaryData(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, ct);
        return client.Uri;
    }

    /// <summary>Ends the job Failed with Azure's error, unless it already left InProgress.</summary>
    private async Task FailAsync(Guid jobId, BackupErrors.Info error, string message, CancellationToken ct)
    {
        var now = (DateTimeOffset?)time.GetUtcNow();
        var updated = await db.BackupJobs.Where(j => j.Id == jobId && j.Status == JobStatuses.InProgress).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, JobStatuses.Failed).SetProperty(j => j.EndTime, now)
            .SetProperty(j => j.TransferTaskStatus, JobStatuses.Failed).SetProperty(j => j.TransferTaskEnd, now)
            .SetProperty(j => j.ErrorCode, error.Code).SetProperty(j => j.ErrorMessage, message), ct);
        if (updated > 0 && await db.BackupJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.Operation, j.StartTime }).FirstOrDefaultAsync(ct) is { } failed)
            Infrastructure.Telemetry.BcpTelemetry.JobEntered(failed.Operation, JobStatuses.Failed, now - failed.StartTime);
    }

    /// <summary>A container name from a VM name: lowercase letters, digits and single hyphens, leaving room for "-{32 hex}".</summary>
    public static string ContainerPrefix(string vmName)
    {
        var name = NotContainerChars().Replace(vmName.ToLowerInvariant(), "-").Trim('-');
        name = name.Length > 30 ? name[..30].TrimEnd('-') : name;
        return name.Length == 0 ? "vm" : name;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotContainerChars();
}
