using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Recovery points checked against storage: a tier whose blobs are gone is no longer listed (the point shows only
/// HardenedRP when its snapshots are gone), and a point with neither tier left is deleted, as Azure lists no point it
/// cannot restore. "Flush, then commit" keeps this from happening with the Azurite the service starts; the audit covers
/// what it cannot: a blob store that lost data on its own (a user's Azurite killed by itself, an OS crash or power loss
/// before the files reached the disk). Runs at start-up and with the daily retention run. Reads the points first, then
/// lists storage: a point committed in between has its blobs already (they are written and flushed before its row).
/// </summary>
public sealed class RecoveryPointAudit(BackupDbContext db, BlobStorage storage, ILogger<RecoveryPointAudit> logger)
{
    public sealed record Result(int SnapshotTiersLost, int VaultTiersLost, int PointsDeleted);

    [Hangfire.JobDisplayName("Audit: recovery points checked against blob storage")]
    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var points = await db.RecoveryPoints.Include(r => r.Disks).Where(r => r.InstantRpValid || r.HardenedRpValid).ToListAsync(ct);
        if (points.Count == 0) return new(0, 0, 0);
        var snapshots = await ListSnapshotsAsync(points.Where(p => p.InstantRpValid).SelectMany(p => p.Disks), ct);
        var copies = await ListVaultCopiesAsync(points.Where(p => p.HardenedRpValid).SelectMany(p => p.Disks), ct);

        int snapshotTiers = 0, vaultTiers = 0;
        var deleted = new List<RecoveryPoint>();
        foreach (var point in points)
        {
            if (point.InstantRpValid && !point.Disks.All(d => snapshots.Contains((d.SourceBlobUri.ToLowerInvariant(), d.Snapshot))))
            {
                point.InstantRpValid = false;
                snapshotTiers++;
            }
            if (point.HardenedRpValid && !point.Disks.All(d => d.VaultBlobName is not null && copies.Contains((d.VaultContainer!, d.VaultBlobName))))
            {
                point.HardenedRpValid = false;
                vaultTiers++;
            }
            if (!point.InstantRpValid && !point.HardenedRpValid) deleted.Add(point);
        }
        if (snapshotTiers + vaultTiers == 0) return new(0, 0, 0);
        db.RecoveryPoints.RemoveRange(deleted);
        await db.SaveChangesAsync(ct);
        foreach (var disk in deleted.SelectMany(p => p.Disks)) await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: true, ct);
        logger.LogWarning("Recovery points checked against blob storage: {Snapshot} lost their snapshot tier, {Vault} their vault tier, {Deleted} had no data left and were deleted",
            snapshotTiers, vaultTiers, deleted.Count);
        return new(snapshotTiers, vaultTiers, deleted.Count);
    }

    /// <summary>Every snapshot of the disks' containers, one listing per container (all disks share one today).</summary>
    private async Task<HashSet<(string Blob, string Snapshot)>> ListSnapshotsAsync(IEnumerable<RecoveryPointDisk> disks, CancellationToken ct)
    {
        var found = new HashSet<(string, string)>();
        foreach (var name in disks.Select(d => new Azure.Storage.Blobs.BlobUriBuilder(new Uri(d.SourceBlobUri)).BlobContainerName).Distinct())
        {
            var container = storage.Service.GetBlobContainerClient(name);
            if (!await container.ExistsAsync(ct)) continue;
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Snapshots }, ct))
                if (item.Snapshot is not null) found.Add((container.GetBlobClient(item.Name).Uri.ToString().ToLowerInvariant(), item.Snapshot));
        }
        return found;
    }

    private async Task<HashSet<(string Container, string Blob)>> ListVaultCopiesAsync(IEnumerable<RecoveryPointDisk> disks, CancellationToken ct)
    {
        var found = new HashSet<(string, string)>();
        foreach (var name in disks.Where(d => d.VaultContainer is not null).Select(d => d.VaultContainer!).Distinct())
        {
            var container = storage.Service.GetBlobContainerClient(name);
            if (!await container.ExistsAsync(ct)) continue;
            await foreach (var item in container.GetBlobsAsync(cancellationToken: ct)) found.Add((name, item.Name));
        }
        return found;
    }
}
