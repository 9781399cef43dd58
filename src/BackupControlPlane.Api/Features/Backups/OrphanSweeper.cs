using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The clean-up after crashes: deletes disk snapshots the extension took for tasks that ended without a recovery point
/// (tagged with a task id that is finished and referenced by no point) and vault copies of recovery points that no
/// longer exist. Every other path deletes its blobs itself; this catches what a process killed between a database
/// write and a blob delete left behind. Runs with the daily retention run.
/// </summary>
public sealed class OrphanSweeper(BackupDbContext db, BlobStorage storage, ILogger<OrphanSweeper> logger)
{
    public sealed record Result(int Snapshots, int VaultBlobs);

    public async Task<Result> SweepAsync(CancellationToken ct)
    {
        var snapshots = 0;
        var referenced = (await db.RecoveryPointDisks.AsNoTracking().Select(d => new { d.SourceBlobUri, d.Snapshot }).ToListAsync(ct))
            .Select(d => (Blob: d.SourceBlobUri.ToLowerInvariant(), d.Snapshot)).ToHashSet();
        var inFlight = (await db.AgentTasks.AsNoTracking().Where(t => !(t.State == AgentTaskStates.Completed || t.State == AgentTaskStates.Failed))
            .Select(t => t.TaskId).ToListAsync(ct)).Select(VmSnapshotExtension.SnapshotTag).ToHashSet();
        var disks = (await db.VirtualMachineDisks.AsNoTracking().Select(d => new { d.BlobContainer, d.BlobName }).ToListAsync(ct))
            .GroupBy(d => d.BlobContainer, d => d.BlobName);
        foreach (var group in disks)
        {
            // One listing per container (all disks share one today), not one per disk.
            var container = storage.Service.GetBlobContainerClient(group.Key);
            var names = group.ToHashSet();
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, States = BlobStates.Snapshots }, ct))
            {
                // Only the extension's own snapshots of our disks (tagged with a task), never one a user took by hand.
                if (item.Snapshot is null || !names.Contains(item.Name) || !item.Metadata.TryGetValue(VmSnapshotExtension.SnapshotTagKey, out var tag)) continue;
                var uri = container.GetBlobClient(item.Name).Uri.ToString().ToLowerInvariant();
                if (referenced.Contains((uri, item.Snapshot)) || inFlight.Contains(tag)) continue;
                await container.GetBlobClient(item.Name).WithSnapshot(item.Snapshot).DeleteIfExistsAsync(cancellationToken: ct);
                snapshots++;
            }
        }

        var vaultBlobs = 0;
        var points = (await db.RecoveryPoints.AsNoTracking().Select(r => r.Name).ToListAsync(ct)).ToHashSet();
        foreach (var vaultKey in await db.Vaults.AsNoTracking().Select(v => v.Key).ToListAsync(ct))
        {
            var container = storage.Service.GetBlobContainerClient(BlobStorage.VaultContainer(vaultKey));
            if (!await container.ExistsAsync(ct)) continue;
            await foreach (var item in container.GetBlobsAsync(cancellationToken: ct))
            {
                // Vault copies are "{protectedItemDataId}/{recoveryPointName}/disk-….vhd"; a copy in progress already has its point.
                var parts = item.Name.Split('/');
                if (parts.Length != 3 || points.Contains(parts[1])) continue;
                await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: ct);
                vaultBlobs++;
            }
        }
        if (snapshots + vaultBlobs > 0) logger.LogInformation("Clean-up: {Snapshots} orphaned snapshots and {VaultBlobs} orphaned vault copies deleted", snapshots, vaultBlobs);
        return new Result(snapshots, vaultBlobs);
    }
}
