namespace BackupControlPlane.Api.Data;

/// <summary>
/// Which recovery points a vault's secondary region holds (cross-region restore): on a GeoRedundant vault with
/// cross-region restore on, a point whose vault copy (HardenedRP) finished at least the replication delay ago
/// (<c>Emulator:CrossRegionReplicationDelay</c>, on the emulated clock). Snapshot-only points are not replicated, as in
/// Azure, where only the vault tier is geo-replicated.
/// </summary>
public static class CrossRegionReplication
{
    public static bool Enabled(VaultSettings settings) =>
        settings.StandardTierStorageRedundancy == "GeoRedundant" && settings.CrossRegionRestore == "Enabled";

    /// <summary>The points of <paramref name="points"/> present in the secondary region at <paramref name="now"/>.</summary>
    public static IQueryable<RecoveryPoint> Replicated(BackupDbContext db, IQueryable<RecoveryPoint> points, DateTimeOffset now, TimeSpan delay)
    {
        var cutoff = (DateTimeOffset?)(now - delay);
        return points.Where(r => r.HardenedRpValid
            && db.BackupJobs.Any(j => j.Id == r.JobId && j.TransferTaskStatus == JobStatuses.Completed && j.TransferTaskEnd <= cutoff));
    }
}
