using System.Text.Json;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Restore;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Emulator;

/// <summary>
/// Start fresh without a restart: Hangfire's pending work first (so no job starts from a row about to go), then every
/// database row in one transaction, then the blobs and containers those rows named (disks, vault copies, task logs,
/// restores). Agents of VMs that are gone lose their credential (401) and the fleet drops them; new VMs get new agents.
/// The certificate authority survives unless asked.
/// </summary>
public sealed class EmulatorReset(BackupDbContext db, BlobStorage blobs, JobStorage hangfire, IBackgroundJobClient jobs,
    BackupScheduler scheduler, SlotSignals slots, DataPaths paths, TransportClock transport, ILogger<EmulatorReset> logger)
{
    public sealed record Result(int Rows, int HangfireJobs, int Containers, int Blobs, int StorageFailures, bool CaRegenerated);

    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public async Task<Result> RunAsync(bool regenerateCa, CancellationToken ct)
    {
        await OneAtATime.WaitAsync(ct);
        try
        {
            int hangfireJobs, rows;
            IReadOnlyList<string> containers;
            IReadOnlyList<(string, string)> diskBlobs;
            // No run-due enqueues a slot from a row about to go; the ones already waiting for slot jobs this deletes answer now.
            using (scheduler.HoldRunDue())
            {
                hangfireJobs = HangfireWipe.Run(hangfire, jobs);
                (containers, diskBlobs) = await StorageOfAsync(ct);
                rows = await DatabaseWipe.RunAsync(db, ct);
            }
            slots.ReleaseAll();
            var failures = 0;
            foreach (var container in containers) failures += await TryAsync(() => blobs.DeleteContainerIfExistsAsync(container, ct), container);
            foreach (var (container, blob) in diskBlobs) failures += await TryAsync(() => blobs.DeleteBlobIfExistsAsync(container, blob, ct), $"{container}/{blob}");
            // The wire's clock: certificates follow real time, not the emulated clock tests move by days.
            if (regenerateCa) TlsCertificates.Regenerate(paths, transport.Time);
            logger.LogWarning("Emulator reset: {Rows} rows, {Jobs} Hangfire jobs, {Containers} containers and {Blobs} disk blobs deleted{Ca}",
                rows, hangfireJobs, containers.Count, diskBlobs.Count, regenerateCa ? "; new certificate authority" : "");
            return new Result(rows, hangfireJobs, containers.Count, diskBlobs.Count, failures, regenerateCa);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>The containers the state's rows own outright, and the disk blobs in the shared disk container.</summary>
    private async Task<(IReadOnlyList<string> Containers, IReadOnlyList<(string, string)> DiskBlobs)> StorageOfAsync(CancellationToken ct)
    {
        var containers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in await db.Vaults.AsNoTracking().Select(v => v.Key).ToListAsync(ct)) containers.Add(BlobStorage.VaultContainer(key));
        containers.UnionWith(await db.RecoveryPointDisks.AsNoTracking().Where(d => d.VaultContainer != null).Select(d => d.VaultContainer!).Distinct().ToListAsync(ct));
        containers.UnionWith(await db.AgentTasks.AsNoTracking().Select(t => t.LogsContainer).Distinct().ToListAsync(ct));
        foreach (var bag in await db.BackupJobs.AsNoTracking().Where(j => j.PropertyBagJson != null && j.Operation == JobOperations.Restore).Select(j => j.PropertyBagJson!).ToListAsync(ct))
            if (JsonSerializer.Deserialize<Dictionary<string, string>>(bag)?.GetValueOrDefault(RestoreService.ContainerKey) is { Length: > 0 } restored) containers.Add(restored);
        var disks = await db.VirtualMachineDisks.AsNoTracking().Select(d => new { d.BlobContainer, d.BlobName })
            .Concat(db.ManagedDisks.AsNoTracking().Select(d => new { d.BlobContainer, d.BlobName })).ToListAsync(ct);
        return (containers.ToList(), disks.Select(d => (d.BlobContainer, d.BlobName)).Distinct().ToList());
    }

    /// <summary>Storage errors do not undo the reset (the rows are gone): counted, logged, answered.</summary>
    private async Task<int> TryAsync(Func<Task> delete, string what)
    {
        try
        {
            await delete();
            return 0;
        }
        catch (Exception e) when (BlobStorage.IsUnavailable(e) || e is Azure.RequestFailedException)
        {
            logger.LogWarning(e, "Emulator reset could not delete {What} from blob storage", what);
            return 1;
        }
    }
}
