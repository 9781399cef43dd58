using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The daily retention run (a Hangfire recurring job): recovery points past their expiry go with their blob snapshots
/// and vault copies; snapshots past the instant-restore range go, and their points lose the InstantRP tier. Points of
/// items whose protection is stopped with data retained are kept forever, as in Azure. Then the history past its
/// window (jobs, operations, agent tasks: <see cref="HistoryPruner"/>), and last the orphan sweep.
/// </summary>
public sealed class RetentionPruner(BackupDbContext db, BlobStorage storage, IExpiredItemPurger purger, OrphanSweeper sweeper, TimeProvider time,
    IOptions<EmulatorOptions> options, ILogger<RetentionPruner> logger)
{
    public const string RecurringJobId = "retention";

    public sealed record Result(int RecoveryPointsDeleted, int SnapshotsExpired, int ItemsPurged, int OrphanedSnapshotsDeleted, int OrphanedVaultBlobsDeleted,
        int JobsPruned = 0, int OperationsPruned = 0, int AgentTasksPruned = 0);

    [Hangfire.JobDisplayName("Retention: expired recovery points, history and orphaned vault data")]
    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // Soft-deleted items whose time is up go for good, with all their points.
        var purged = await purger.PurgeExpiredAsync(now, ct);

        var expired = await db.RecoveryPoints.Include(r => r.Disks)
            .Where(r => r.ExpiryTime != null && r.ExpiryTime <= now
                && db.ProtectedItems.Any(i => i.Id == r.ProtectedItemId && i.ProtectionState != ProtectionStates.ProtectionStopped
                    // Backups suspended: points expire as the policy says, but the last one is kept for ever.
                    && (i.ProtectionState != ProtectionStates.BackupsSuspended || db.RecoveryPoints.Any(o => o.ProtectedItemId == i.Id && o.RecoveryPointTime > r.RecoveryPointTime))))
            .ToListAsync(ct);
        var instant = await db.RecoveryPoints.Include(r => r.Disks)
            .Where(r => r.InstantRpValid && r.InstantRpExpiryTime != null && r.InstantRpExpiryTime <= now).ToListAsync(ct);
        instant = instant.Except(expired).ToList();

        // The database first: a crash between the two steps leaves unreferenced blobs, never a point without its data.
        db.RecoveryPoints.RemoveRange(expired);
        foreach (var rp in instant)
        {
            rp.InstantRpValid = false;
            if (!rp.HardenedRpValid) db.RecoveryPoints.Remove(rp); // nothing would be left to restore from
        }
        await db.SaveChangesAsync(ct);

        foreach (var disk in expired.SelectMany(r => r.Disks)) await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: true, ct);
        foreach (var disk in instant.SelectMany(r => r.Disks)) await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: false, ct);
        if (expired.Count + instant.Count > 0)
            logger.LogInformation("Retention: {Expired} recovery points deleted, {Instant} instant-restore snapshots expired", expired.Count, instant.Count);
        // After the points: a job whose point expired today is free to go with the rest of the old history.
        var history = await new HistoryPruner(db, time, options.Value, logger).PruneAsync(ct);
        var orphans = await sweeper.SweepAsync(ct);
        return new Result(expired.Count, instant.Count, purged, orphans.Snapshots, orphans.VaultBlobs, history.Jobs, history.Operations, history.Tasks);
    }
}
