using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>
/// The work of a MoveRecoveryPoint job: each disk's vault copy is copied (server-side) into the vault's archive
/// container, the copies made durable, then the point becomes ArchivedRP (its Standard and snapshot tiers gone) and the
/// job Completed in one save, and last the Standard copies are deleted. Azurite cannot put a page blob in the Archive
/// access tier (Azure cannot either: archive is for block blobs), so the archive tier is that container. A re-run after a
/// crash copies again over the same names; a point already archived, deleted or a job no longer InProgress ends it.
/// </summary>
[AutomaticRetry(Attempts = 3, DelaysInSeconds = [1, 5, 30], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class ArchiveMoveJob(BackupDbContext db, BlobStorage storage, TimeProvider time, ILogger<ArchiveMoveJob> logger)
{
    [JobDisplayName("Move recovery point to the archive tier (job {0})")]
    public async Task RunAsync(Guid jobId, CancellationToken ct)
    {
        var job = await db.BackupJobs.FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job?.Status != JobStatuses.InProgress) return;
        var point = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.Id == job.RecoveryPointId, ct);
        if (point is null || !point.HardenedRpValid || point.Disks.Any(d => d.VaultContainer is null || d.VaultBlobName is null))
        {
            await FailAsync(db, time, jobId, "The recovery point or its Vault-Standard copy is gone: it was deleted after the move was requested.", ct);
            return;
        }
        long moved = 0;
        try
        {
            foreach (var disk in point.Disks)
                moved += await storage.CopyPageBlobAsync(disk.VaultContainer!, disk.VaultBlobName!, null, BlobStorage.ArchiveContainer(disk.VaultContainer!), disk.VaultBlobName!, ct);
            await storage.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Move job {JobId}: copying to the archive tier failed", jobId);
            await FailAsync(db, time, jobId, $"Moving the data to the archive tier failed: {e.Message}", CancellationToken.None);
            foreach (var disk in point.Disks) await storage.DeleteBlobIfExistsAsync(BlobStorage.ArchiveContainer(disk.VaultContainer!), disk.VaultBlobName!, CancellationToken.None);
            return;
        }
        var now = time.GetUtcNow();
        point.ArchivedRpStatus = ArchiveStatuses.Valid;
        point.HardenedRpValid = false;
        point.InstantRpValid = false;
        job.Status = JobStatuses.Completed;
        job.EndTime = now;
        job.BackupSizeBytes = moved;
        await db.SaveChangesAsync(ct);
        // The database first: a crash now leaves Standard copies no point uses (the orphan sweep's), never a point without data.
        foreach (var disk in point.Disks) await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: false, ct); // its snapshots, if any are left
        foreach (var disk in point.Disks) await storage.DeleteBlobIfExistsAsync(disk.VaultContainer!, disk.VaultBlobName!, ct);
        logger.LogInformation("Move job {JobId}: recovery point {Point} is in the archive tier ({Bytes} bytes)", jobId, point.Name, moved);
    }

    /// <summary>Ends the job Failed, unless it already left InProgress.</summary>
    public static async Task FailAsync(BackupDbContext db, TimeProvider time, Guid jobId, string message, CancellationToken ct)
    {
        var now = (DateTimeOffset?)time.GetUtcNow();
        await db.BackupJobs.Where(j => j.Id == jobId && j.Status == JobStatuses.InProgress).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, JobStatuses.Failed).SetProperty(j => j.EndTime, now)
            .SetProperty(j => j.ErrorCode, "UserErrorRecoveryPointIsNotEligibleForArchiveMove").SetProperty(j => j.ErrorMessage, message), ct);
    }
}
