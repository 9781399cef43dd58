using BackupControlPlane.Api.Arm;
using Azure;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Stage "settled" (<see cref="BackupLifecycle"/>), "Transfer data to vault", as a Hangfire job: copies each disk
/// snapshot of the recovery point into the vault's container, makes the copies durable, then settles job, point and
/// item. At least once, with Hangfire's retries and back-off: copies overwrite whole blobs and the settle is guarded by
/// the task's state, so a second run (a retry, a node that died mid-copy, a duplicate report) leaves one result. When
/// the copy cannot succeed (the snapshot is gone) or the retries run out, the backup fails and its point goes with its
/// data: Azure shows no recovery point for a failed backup.
/// </summary>
[AutomaticRetry(Attempts = Retries, DelaysInSeconds = [1, 2, 5, 10, 30], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class VaultTransferJob(
    BackupDbContext db, BlobStorage storage, BackupCleanup cleanup, TimeProvider time, Infrastructure.Telemetry.TaskTraces traces, ILogger<VaultTransferJob> logger)
{
    public const int Retries = 5;

    [TransferJobName]
    public Task RunAsync(Guid taskId, PerformContext? context, CancellationToken ct) =>
        RunAsync(taskId, context?.GetJobParameter<int>("RetryCount") ?? Retries, ct);

    /// <summary>The first attempt, run at once after the report's commit (Infrastructure/ExpressJobs): a failure that may pass is thrown, for Hangfire to retry.</summary>
    public Task RunNowAsync(Guid taskId, CancellationToken ct) => RunAsync(taskId, 0, ct);

    private async Task RunAsync(Guid taskId, int retry, CancellationToken ct)
    {
        var task = await db.AgentTasks.FirstOrDefaultAsync(t => t.Id == taskId, ct);
        if (task is null) return; // pruned since
        if (task.State is AgentTaskStates.Pending or AgentTaskStates.Transitioning)
        {
            // Enqueued just before the report's commit. Not visible yet: Hangfire runs this again shortly. Never committed
            // (the process died, a duplicate report won): the retries run out and nothing happens.
            if (retry < Retries) throw new InvalidOperationException($"Task {task.TaskId} is {task.State}; its snapshot report is not committed yet.");
            return;
        }
        if (task.State != AgentTaskStates.Transferring) return; // settled or failed by an earlier run

        var job = await db.BackupJobs.FirstAsync(j => j.Id == task.JobId, ct);
        var item = await db.ProtectedItems.Include(i => i.Vault).FirstAsync(i => i.Id == task.ProtectedItemId, ct);
        var point = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.JobId == job.Id, ct);
        if (point is null)
        {
            BackupLifecycle.Failed(job, task, item, BackupErrors.BackUpOperationFailed, "The recovery point of this backup was deleted before its transfer to the vault.", time.GetUtcNow());
            await db.SaveGuardedAsync(ct);
            return;
        }

        long total;
        try
        {
            total = await CopyToVaultAsync(item, point, ct);
            await storage.FlushAsync(ct);
        }
        catch (Exception e) when (BlobStorage.IsUnavailable(e) || e is InvalidOperationException)
        {
            if (!SourceIsGone(e) && retry < Retries)
            {
                logger.LogWarning("Transfer to vault of job {JobId} failed (attempt {Attempt}), retried: {Message}", job.Id, retry + 1, e.Message);
                throw;
            }
            await FailAsync(task, job, item, point, $"Transfer data to vault failed: {e.Message}", ct);
            return;
        }
        BackupLifecycle.Settled(task, job, point, item, total, time.GetUtcNow());
        if (await db.SaveGuardedAsync(ct))
            System.Diagnostics.Activity.Current?.AddEvent(new("bcp.recovery_point.hardened", tags: new() { ["bcp.recovery_point"] = point.Name, ["bcp.bytes"] = total }));
        traces.Forget(task.Id);
    }

    private async Task<long> CopyToVaultAsync(ProtectedItem item, RecoveryPoint point, CancellationToken ct)
    {
        var vaultContainer = BlobStorage.VaultContainer(item.Vault!.Key);
        long total = 0;
        foreach (var disk in point.Disks)
        {
            var source = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(disk.SourceBlobUri));
            // Named before the copy, so a failed transfer deletes a partial copy too.
            disk.VaultContainer = vaultContainer;
            disk.VaultBlobName = $"{item.ProtectedItemDataId}/{point.Name}/disk-{(disk.Lun < 0 ? "os" : disk.Lun.ToString())}.vhd";
            disk.SizeBytes = await storage.CopySnapshotToVaultAsync(source.BlobContainerName, source.BlobName, disk.Snapshot, vaultContainer, disk.VaultBlobName, ct);
            total += disk.SizeBytes;
        }
        return total;
    }

    /// <summary>The backup fails; its point and whatever data it has go, database first (a crash then leaves orphans, never a point without data).</summary>
    private async Task FailAsync(AgentTask task, BackupJob job, ProtectedItem item, RecoveryPoint point, string message, CancellationToken ct)
    {
        logger.LogWarning("Transfer to vault failed for job {JobId}: {Message}", job.Id, message);
        BackupLifecycle.Failed(job, task, item, BackupErrors.BackUpOperationFailed, message, time.GetUtcNow());
        db.RecoveryPoints.Remove(point);
        if (await db.SaveGuardedAsync(ct)) await cleanup.DeletePointDataAsync(point, ct);
    }

    /// <summary>The snapshot to copy no longer exists: no retry can bring it back.</summary>
    private static bool SourceIsGone(Exception e) => e switch
    {
        RequestFailedException r => r.ErrorCode == BlobErrorCode.CannotVerifyCopySource || r.ErrorCode == BlobErrorCode.BlobNotFound || r.Status == 404,
        AggregateException a => a.InnerExceptions.Any(SourceIsGone),
        _ => false,
    };
}
