using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>Enabling protection, shared by the ARM route and the CLI-style convenience route.</summary>
public sealed class ProtectionService(BackupDbContext db, BackupScheduler scheduler, BlobStorage storage, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<EmulatorOptions> options, ILogger<ProtectionService> logger)
{
    public sealed record Enabled(ProtectedItem Item, BackupJob Job, AsyncOperation Operation);

    /// <summary>The VM's protected item as a caller already read it (tracked), so that enable does not read it again.</summary>
    public sealed record KnownItem(ProtectedItem? Item);

    /// <summary>
    /// Creates the protected item (IRPending), a completed ConfigureBackup job and its operation in one transaction, then
    /// makes sure the policy's next slot is scheduled. Re-sending the same request for an item already protected by the
    /// same vault changes its policy, as a PUT does in Azure.
    /// </summary>
    /// <param name="disks">A new selective disk backup setting (<see cref="DiskExclusionRequest"/>); null keeps the item's.</param>
    /// <param name="apiVersion">The request's api-version (<see cref="PolicyCompatibility"/>); null on the emulator's own route.</param>
    /// <param name="known">The VM's item (or none) as the caller read it inside the same transaction; null: read here.</param>
    public async Task<Enabled> EnableAsync(Vault vault, VirtualMachine vm, BackupPolicy policy, CancellationToken ct, DiskExclusionUpdate? disks = null, string? apiVersion = null,
        KnownItem? known = null)
    {
        if (!vm.Location.Equals(vault.Location, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest(
                $"The VM should be in the same location as that of the Recovery Services vault to enable protection (VM: '{vm.Location}', vault: '{vault.Location}').",
                "BMSUserErrorVmVaultLocationMismatch");

        // Joins the caller's transaction when there is one (a conditional PUT checked its If-Match inside it).
        var own = db.Database.CurrentTransaction is null;
        await using var tx = own ? await db.BeginWriteAsync(ct) : null;
        // EF wraps each SaveChanges inside a transaction in a savepoint (two statements more each) so that a failed save
        // can be caught and the transaction go on; nothing here goes on after a failure: the transaction (this one or the
        // route's, which runs the request again) is rolled back whole.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            return await EnableInTransactionAsync(vault, vm, policy, own, tx, disks, apiVersion, known, ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    private async Task<Enabled> EnableInTransactionAsync(Vault vault, VirtualMachine vm, BackupPolicy policy, bool own, SqliteWriteGate.WriteTransaction? tx,
        DiskExclusionUpdate? disks, string? apiVersion, KnownItem? known, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var item = known is not null && !own ? known.Item : await db.ProtectedItems.FirstOrDefaultAsync(i => i.VirtualMachineId == vm.Id, ct);
        await PolicyCompatibility.CheckAsync(db, vm, item, policy, apiVersion, ct);
        if (item is not null && item.VaultId != vault.Id)
            throw new ArmException(409, ArmErrorCodes.VirtualMachineAlreadyProtected,
                $"The virtual machine '{vm.Name}' is already protected by another Recovery Services vault.");
        if (item is null)
        {
            item = new ProtectedItem
            {
                VaultId = vault.Id, VirtualMachineId = vm.Id, PolicyId = policy.Id,
                ContainerName = ArmIds.ContainerName(vm.ResourceGroup, vm.Name),
                ProtectionState = ProtectionStates.IRPending,
                ProtectedItemDataId = Random.Shared.NextInt64(10_000_000_000_000, 99_999_999_999_999),
                ProtectedAt = now,
            };
        }
        else
        {
            item.PolicyId = policy.Id;
            if (item.ProtectionState is ProtectionStates.ProtectionStopped or ProtectionStates.BackupsSuspended)
                item.ProtectionState = item.LastRecoveryPointTime is null ? ProtectionStates.IRPending : ProtectionStates.Protected;
        }
        if (disks is not null) item.DiskExclusionJson = disks.Json;

        // Two enables of one VM at once: the unique index on the VM lets one insert win; the route's transaction runs the
        // loser again (OneTransaction), which then finds the item: the same vault is an idempotent success, another a 409.
        // A new item's id comes from its insert and the job names it: inserted first. On SQLite's write connection the
        // three new rows are inserted without SaveChanges (SqliteRowInsert: EF's per-save work was most of the write
        // turn); elsewhere, and for a known item (an update), through EF as before, the item saved with its job.
        var existing = item.Id != 0;
        if (!existing && !SqliteRowInsert.TryInsert(db, item))
        {
            db.ProtectedItems.Add(item);
            await db.SaveChangesAsync(ct);
        }
        var (job, operation) = NewCompletedJob(vault, item, vm.Name, JobOperations.ConfigureBackup);
        if (AddedForEf(job) | AddedForEf(operation) || existing) await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        // Inside the caller's transaction (both routes: OneTransaction, from before their first read) the policy was read
        // in this transaction, so a slot it shows is current: reading the policy again would cost a statement per enable
        // and say the same. Otherwise (read before this transaction) read it fresh.
        if (own || policy.NextSlotUtc is null || policy.NextSlotJobId is null) await scheduler.EnsureScheduledAsync(policy.Id, ct);
        return new Enabled(item, job, operation);
    }

    // Inserted at once on SQLite's write connection (SqliteRowInsert), or added for the next SaveChanges (true).
    private bool AddedForEf<T>(T row) where T : class
    {
        if (SqliteRowInsert.TryInsert(db, row)) return false;
        db.Add(row);
        return true;
    }

    /// <summary>A finished job with its operation, for the synchronous parts of long-running ARM calls.</summary>
    public (BackupJob Job, AsyncOperation Operation) CompletedJob(Vault vault, ProtectedItem? item, string vmName, string operation)
    {
        var (job, op) = NewCompletedJob(vault, item, vmName, operation);
        db.BackupJobs.Add(job);
        db.AsyncOperations.Add(op);
        return (job, op);
    }

    private (BackupJob Job, AsyncOperation Operation) NewCompletedJob(Vault vault, ProtectedItem? item, string vmName, string operation)
    {
        var now = time.GetUtcNow();
        var job = new BackupJob
        {
            Id = Guid.NewGuid(), VaultId = vault.Id, ProtectedItemId = item?.Id, EntityFriendlyName = vmName, Operation = operation,
            Status = JobStatuses.Completed, StartTime = now, EndTime = now, ActivityId = Guid.NewGuid(),
        };
        return (job, AsyncOperation.Succeeded(vault.Id, job.Id, now));
    }

    /// <summary>Stop protection and keep the data: no more scheduled backups, recovery points kept until deleted.</summary>
    public async Task<AsyncOperation> StopAsync(Vault vault, ProtectedItem item, CancellationToken ct)
    {
        item.ProtectionState = ProtectionStates.ProtectionStopped;
        item.PolicyId = null;
        var (_, op) = CompletedJob(vault, item, item.VirtualMachine!.Name, JobOperations.DisableBackup);
        await db.SaveChangesAsync(ct);
        return op;
    }

    /// <summary>
    /// Stop backups and keep the points as the policy says (<c>BackupsSuspended</c>): the policy stays, its retention
    /// goes on, the last point is kept for ever. Azure allows it only on an immutable vault.
    /// </summary>
    public async Task<AsyncOperation> SuspendAsync(Vault vault, ProtectedItem item, CancellationToken ct)
    {
        if (!Settings(vault).Immutable)
            throw ArmException.BadRequest("The Vault and Bakcup Item is in Immutable state where destructive operations are not supported. The Vault and Backup Item is immutable, hence operation is denied. "
                + "Refer to the documentation to learn more: https://aka.ms/AB-ImmutableVaults-States ", ImmutableItemDenied);
        if (item.PolicyId is null)
            throw ArmException.BadRequest("Protection of this item is stopped: backups can be suspended only while a policy protects it.", "BMSUserErrorProtectionStopped");
        item.ProtectionState = ProtectionStates.BackupsSuspended;
        var (_, op) = CompletedJob(vault, item, item.VirtualMachine!.Name, JobOperations.DisableBackup);
        await db.SaveChangesAsync(ct);
        return op;
    }

    /// <summary>Azure's code for BackupsSuspended on a vault that is not immutable (its text, typo included, is Azure's).</summary>
    public const string ImmutableItemDenied = "UserErrorOperationDeniedOnImmutableItem";

    /// <summary>Azure's code when stop-and-delete would delete an immutable vault's unexpired recovery points.</summary>
    public const string ImmutableDeleteDenied = "UserErrorDeleteBackupItemOnImmutableItem";

    /// <summary>
    /// Stop protection and delete the data, as the vault's settings say: with soft delete on (Enabled or AlwaysON) the
    /// item stays, undeletable, for the vault's softDeleteRetentionPeriodInDays; with it off the item and its recovery
    /// points go at once, with their blob snapshots and vault copies. On an immutable vault an item with recovery points
    /// is refused: the operation (202) ends Failed with <see cref="ImmutableDeleteDenied"/>, as Azure reports it.
    /// The VMSnapshot extension stays on the VM, as in Azure.
    /// </summary>
    public async Task<AsyncOperation> DeleteAsync(Vault vault, ProtectedItem item, CancellationToken ct)
    {
        var settings = Settings(vault);
        if (settings.Immutable && await db.RecoveryPoints.AnyAsync(r => r.ProtectedItemId == item.Id, ct))
        {
            var failed = new AsyncOperation
            {
                Id = Guid.NewGuid(), VaultId = vault.Id, Status = OperationStatuses.Failed, StartTime = time.GetUtcNow(), EndTime = time.GetUtcNow(),
                ErrorCode = ImmutableDeleteDenied,
                ErrorMessage = $"The backup item '{item.VirtualMachine!.Name}' is in an immutable vault (immutability {settings.ImmutabilityState}): its recovery points cannot be deleted before they expire. "
                    + "Stop protection and retain the data, or suspend backups, instead. Refer to the documentation to learn more: https://aka.ms/AB-ImmutableVaults-States",
            };
            db.AsyncOperations.Add(failed);
            await db.SaveChangesAsync(ct);
            return failed;
        }
        if (settings.SoftDeleteOn)
        {
            // Soft delete, as Azure: protection stops, the data stays recoverable (undelete) until the purge time.
            item.ProtectionState = ProtectionStates.ProtectionStopped;
            item.PolicyId = null;
            item.DeferredDeleteTime ??= time.GetUtcNow().AddDays(settings.SoftDeleteRetentionPeriodInDays);
            var (_, soft) = CompletedJob(vault, item, item.VirtualMachine!.Name, JobOperations.DeleteBackupData);
            await db.SaveChangesAsync(ct);
            return soft;
        }
        return (await PurgeAsync(vault, item, ct))!;
    }

    private VaultSettings Settings(Vault vault) => VaultSettings.Of(vault, options.Value.SoftDeleteRetentionDays);

    /// <summary>Undelete a soft-deleted item: its data is kept again, protection stays stopped until resumed.</summary>
    public async Task<AsyncOperation> UndeleteAsync(Vault vault, ProtectedItem item, CancellationToken ct)
    {
        item.DeferredDeleteTime = null;
        var (_, op) = CompletedJob(vault, item, item.VirtualMachine!.Name, JobOperations.Undelete);
        await db.SaveChangesAsync(ct);
        return op;
    }

    /// <summary>Deletes the item and its data for good (at once without soft delete, or when its soft-delete time is up).</summary>
    /// <param name="recordJob">False when the purge ends a soft delete: its DeleteBackupData job was recorded then.</param>
    public async Task<AsyncOperation?> PurgeAsync(Vault vault, ProtectedItem item, CancellationToken ct, bool recordJob = true)
    {
        // A running backup's task may change under us (agent report, watchdog); re-read and retry rather than fail.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DeleteOnceAsync(vault, item, recordJob, ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
                item = await db.ProtectedItems.Include(i => i.VirtualMachine).FirstAsync(i => i.Id == item.Id, ct);
                vault = await db.Vaults.FirstAsync(v => v.Id == vault.Id, ct);
            }
        }
    }

    private async Task<AsyncOperation?> DeleteOnceAsync(Vault vault, ProtectedItem item, bool recordJob, CancellationToken ct)
    {
        var points = await db.RecoveryPoints.Include(r => r.Disks).Where(r => r.ProtectedItemId == item.Id).ToListAsync(ct);
        var open = await db.AgentTasks.Where(t => t.ProtectedItemId == item.Id && t.State != AgentTaskStates.Completed && t.State != AgentTaskStates.Failed).ToListAsync(ct);
        var openJobs = open.Select(t => t.JobId).ToList();
        var now = time.GetUtcNow();
        foreach (var job in await db.BackupJobs.Where(j => openJobs.Contains(j.Id)).ToListAsync(ct))
            Backups.BackupLifecycle.Failed(job, open.First(t => t.JobId == job.Id), null, BackupErrors.BackUpOperationFailed, "Protection was stopped and the backup data deleted while this backup ran.", now);
        var op = recordJob ? CompletedJob(vault, item, item.VirtualMachine!.Name, JobOperations.DeleteBackupData).Operation : null;
        db.RecoveryPoints.RemoveRange(points);
        db.ProtectedItems.Remove(item);
        await db.SaveChangesAsync(ct);
        // Blobs after the commit: a crash here leaves unreferenced copies (harmless), never a point whose data is gone.
        foreach (var disk in points.SelectMany(p => p.Disks))
        {
            try
            {
                await storage.DeleteRecoveryPointDataAsync(disk, includeVaultCopy: true, ct);
            }
            catch (Exception e) when (BlobStorage.IsUnavailable(e))
            {
                // The orphan sweep of the next retention run deletes what is left.
                logger.LogWarning("Deleting backup data of {Item} left a blob behind: {Message}", item.ContainerName, e.Message);
            }
        }
        return op;
    }
}
