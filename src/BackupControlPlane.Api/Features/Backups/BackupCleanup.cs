using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// What a backup that did not finish leaves in storage goes with it: the disk snapshots its agent took (the extension
/// tags each with the task id) and, when the transfer got that far, its recovery point's vault copies. Best effort:
/// storage may be down; whatever is left, the orphan sweep of the next retention run removes.
/// </summary>
public sealed class BackupCleanup(BackupDbContext db, BlobStorage storage, ILogger<BackupCleanup> logger)
{
    public async Task DeleteTaskSnapshotsAsync(AgentTask task, CancellationToken ct)
    {
        try
        {
            var disks = await db.VirtualMachineDisks.AsNoTracking().Where(d => d.VirtualMachineId == task.VirtualMachineId).ToListAsync(ct);
            var deleted = 0;
            foreach (var disk in disks) deleted += await storage.DeleteSnapshotsTaggedAsync(disk.BlobContainer, disk.BlobName, task.TaskId, ct);
            if (deleted > 0) logger.LogInformation("Deleted {Count} snapshots left by failed task {TaskId}", deleted, task.TaskId);
        }
        catch (Exception e) when (BlobStorage.IsUnavailable(e))
        {
            logger.LogWarning("Could not delete the snapshots of failed task {TaskId}: {Message}", task.TaskId, e.Message);
        }
    }

    /// <summary>The blobs of a recovery point whose row is already deleted: its snapshots and vault copies.</summary>
    public async Task DeletePointDataAsync(RecoveryPoint point, CancellationToken ct)
    {
        try
        {
            foreach (var disk in point.Disks) await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: true, ct);
        }
        catch (Exception e) when (BlobStorage.IsUnavailable(e))
        {
            logger.LogWarning("Could not delete the data of recovery point {Point}: {Message}", point.Name, e.Message);
        }
    }
}
