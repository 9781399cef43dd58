using System.Text.Json;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// A backup from start to recovery point: issue the snapshot task (installing VMSnapshot on first use), take the
/// agent's result from its status blob, transfer the snapshots into the vault, and settle job, recovery point and item.
/// Every step is a state change of the task guarded by its previous state, so repeats and late answers are harmless.
/// </summary>
public sealed class BackupOrchestrator(
    BackupDbContext db, BlobStorage storage, AgentNotifier notifier, AgentPresence presence, TimeProvider time,
    IOptions<EmulatorOptions> options, ILogger<BackupOrchestrator> logger)
{
    /// <summary>Fans one policy slot out to every item it protects, in one transaction.</summary>
    public async Task<IReadOnlyList<BackupJob>> StartScheduledBackupsAsync(BackupPolicy policy, DateTimeOffset slot, CancellationToken ct)
    {
        var items = await db.ProtectedItems
            .Include(i => i.VirtualMachine!).ThenInclude(v => v.Extensions)
            .Where(i => i.PolicyId == policy.Id && i.ProtectedAt <= slot
                && (i.ProtectionState == ProtectionStates.IRPending || i.ProtectionState == ProtectionStates.Protected))
            .ToListAsync(ct);
        var itemIds = items.Select(i => i.Id).ToList();
        var done = await db.BackupJobs.Where(j => j.ScheduledSlotUtc == slot && itemIds.Contains(j.ProtectedItemId!.Value))
            .Select(j => j.ProtectedItemId!.Value).ToListAsync(ct);
        var busy = await db.BackupJobs.Where(j => j.Operation == JobOperations.Backup && j.Status == JobStatuses.InProgress && itemIds.Contains(j.ProtectedItemId!.Value))
            .Select(j => j.ProtectedItemId!.Value).ToListAsync(ct);

        var now = time.GetUtcNow();
        var jobs = new List<BackupJob>();
        var tasks = new List<AgentTask>();
        foreach (var item in items.Where(i => !done.Contains(i.Id)))
        {
            if (busy.Contains(item.Id))
            {
                var skipped = NewJob(item, now, slot);
                Fail(skipped, null, BackupErrors.BackupOperationInProgress, BackupErrors.BackupOperationInProgress.Message, now);
                db.BackupJobs.Add(skipped);
                jobs.Add(skipped);
                continue;
            }
            if (FailIfAgentUnavailable(item, now, slot) is { } unavailable)
            {
                jobs.Add(unavailable);
                continue;
            }
            var (job, task) = Prepare(item, now, slot, Policies.RetentionRules.ExpiryFor(policy, slot, now));
            jobs.Add(job);
            tasks.Add(task);
        }
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (t, token) => await storage.CreateContainerAsync(t.LogsContainer, token));
        await db.SaveChangesAsync(ct);
        await BumpIncarnationsAsync(tasks.Select(t => t.VirtualMachineId).ToList(), ct);
        foreach (var t in tasks) notifier.Signal(t.VirtualMachineId);
        logger.LogInformation("Slot {Slot:o} of policy {Policy}: {Count} backups started", slot, policy.Name, tasks.Count);
        return jobs;
    }

    /// <summary>
    /// Backup now: one on-demand backup whose recovery point expires at <paramref name="expiry"/>. Runs inside the
    /// caller's transaction (the busy check and the insert must be one), so the caller signals the agent after its commit.
    /// The caller has created the task's logs container (<see cref="LogsContainer"/> of <paramref name="taskGuid"/>)
    /// before its transaction: no storage round trip under the write lock. A job already Failed got no task.
    /// </summary>
    public async Task<BackupJob> StartOnDemandBackupAsync(ProtectedItem item, DateTimeOffset expiry, Guid taskGuid, CancellationToken ct)
    {
        var busy = await db.BackupJobs.AnyAsync(j => j.ProtectedItemId == item.Id && j.Operation == JobOperations.Backup && j.Status == JobStatuses.InProgress, ct);
        if (busy) throw new Arm.ArmException(400, BackupErrors.BackupOperationInProgress.Code, BackupErrors.BackupOperationInProgress.Message);
        if (FailIfAgentUnavailable(item, time.GetUtcNow(), null) is { } unavailable)
        {
            await db.SaveChangesAsync(ct);
            return unavailable;
        }
        var (job, task) = Prepare(item, time.GetUtcNow(), null, expiry, taskGuid);
        await db.SaveChangesAsync(ct);
        await BumpIncarnationsAsync([task.VirtualMachineId], ct);
        return job;
    }

    /// <summary>Where the extension writes a task's status and log blobs; made before the task is committed.</summary>
    public static string LogsContainer(Guid taskGuid) => $"bcdrextensionlogs-{taskGuid}";

    /// <summary>
    /// The goal state changed: one atomic increment in the database, after the tasks are committed, so an agent woken by
    /// it reads them, and a registration bumping the same VM at the same moment cannot swallow this bump (lost update).
    /// </summary>
    private async Task BumpIncarnationsAsync(IReadOnlyList<long> vmIds, CancellationToken ct)
    {
        if (vmIds.Count == 0) return;
        await db.VirtualMachines.Where(v => vmIds.Contains(v.Id)).ExecuteUpdateAsync(u => u.SetProperty(v => v.Incarnation, v => v.Incarnation + 1), ct);
    }

    /// <summary>
    /// A VM whose agent is Not Ready gets no task: its job fails at once with Azure's code, as Azure checks the agent
    /// before it sends the extension anything.
    /// </summary>
    private BackupJob? FailIfAgentUnavailable(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot)
    {
        var vm = item.VirtualMachine!;
        if (!presence.IsUnavailable(vm)) return null;
        var job = NewJob(item, now, slot);
        var seen = vm.AgentLastSeen is { } last ? $"last heard from at {last:u}" : "never heard from";
        Fail(job, null, BackupErrors.GuestAgentStatusUnavailable, $"{BackupErrors.GuestAgentStatusUnavailable.Message} The VM agent of '{vm.Name}' is Not Ready ({seen}).", now);
        item.LastBackupStatus = "Failed";
        db.BackupJobs.Add(job);
        return job;
    }

    private static BackupJob NewJob(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot) => new()
    {
        Id = Guid.NewGuid(), VaultId = item.VaultId, ProtectedItemId = item.Id, EntityFriendlyName = item.VirtualMachine!.Name,
        Operation = JobOperations.Backup, Status = JobStatuses.InProgress, StartTime = now, ActivityId = Guid.NewGuid(),
        ScheduledSlotUtc = slot, SnapshotTaskStatus = JobStatuses.InProgress, SnapshotTaskStart = now, TransferTaskStatus = JobStatuses.NotStarted,
    };

    /// <summary>A Backup job and its snapshot task; installs the VMSnapshot extension on the VM's first backup.</summary>
    private (BackupJob, AgentTask) Prepare(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot, DateTimeOffset expiry, Guid? id = null)
    {
        var vm = item.VirtualMachine!;
        var job = NewJob(item, now, slot);
        vm.TaskSequence++;
        var taskGuid = id ?? Guid.NewGuid();
        var task = new AgentTask
        {
            Id = taskGuid, TaskId = $"{taskGuid}_{vm.TaskSequence}", SequenceNumber = vm.TaskSequence, VirtualMachineId = vm.Id,
            ProtectedItemId = item.Id, JobId = job.Id, State = AgentTaskStates.Pending, CommandStartTime = now,
            Deadline = now + options.Value.AgentTaskTimeout, LogsContainer = LogsContainer(taskGuid),
            RecoveryPointExpiry = expiry.ToString("o"),
        };
        var (type, version) = VmSnapshotExtension.ForOs(vm.OsType);
        var ext = vm.Extensions.FirstOrDefault(e => e.Publisher == VmSnapshotExtension.Publisher);
        if (ext is null)
        {
            ext = new VirtualMachineExtension
            {
                Name = type, Publisher = VmSnapshotExtension.Publisher, Type = type, TypeHandlerVersion = version,
                AutoUpgradeMinorVersion = true, ProvisioningState = "Creating",
            };
            vm.Extensions.Add(ext);
        }
        ext.SequenceNumber = vm.TaskSequence;
        ext.PublicSettingsJson = JsonSerializer.Serialize(new SnapshotPublicSettings(
            "en-us", task.TaskId, VmSnapshotExtension.SnapshotCommand, DotNetTicks.From(now), VmSnapshotExtension.VmType));
        db.BackupJobs.Add(job);
        db.AgentTasks.Add(task);
        return (job, task);
    }

    /// <summary>
    /// Handles an agent's report. Returns null for an unknown task, a receipt with state "Forbidden" for another VM's task,
    /// and otherwise the task's state after the report (terminal reports on terminal tasks change nothing).
    /// </summary>
    public async Task<TaskStatusReceipt?> HandleReportAsync(long vmId, string taskId, TaskStatusReport report, CancellationToken ct)
    {
        var task = await db.AgentTasks.Include(t => t.VirtualMachine!).ThenInclude(v => v.Disks).FirstOrDefaultAsync(t => t.TaskId == taskId, ct);
        if (task is null) return null;
        if (task.VirtualMachineId != vmId) return new TaskStatusReceipt(taskId, "Forbidden");
        if (AgentTaskStates.IsTerminal(task.State) || task.State == AgentTaskStates.Transferring)
        {
            // A late answer to a task that already failed (timed out, cancelled) may have left snapshots behind.
            if (task.State == AgentTaskStates.Failed && report.Status != TaskStatuses.Transitioning) await DeleteTaskSnapshotsAsync(task, ct);
            return new TaskStatusReceipt(taskId, task.State);
        }

        var job = await db.BackupJobs.FirstAsync(j => j.Id == task.JobId, ct);
        var now = time.GetUtcNow();
        switch (report.Status)
        {
            case TaskStatuses.Transitioning:
                // The acknowledgement: the lease now runs to the task's deadline.
                task.State = AgentTaskStates.Transitioning;
                task.LeaseExpiresAt = task.Deadline;
                await SaveGuardedAsync(ct);
                break;
            case TaskStatuses.Error:
                // Snapshots first: once the job shows Failed, nothing of it is left in storage.
                await DeleteTaskSnapshotsAsync(task, ct);
                Fail(job, task, BackupErrors.ExtensionOperationFailed, $"VMSnapshot extension failed (code {report.Code}): {report.Message}", now);
                task.ExtensionCode = report.Code;
                await MarkLastBackupFailedAsync(task, ct);
                await SaveGuardedAsync(ct);
                break;
            case TaskStatuses.Success:
                await CompleteSnapshotAsync(task, job, report, ct);
                break;
        }
        return new TaskStatusReceipt(taskId, task.State);
    }

    private async Task CompleteSnapshotAsync(AgentTask task, BackupJob job, TaskStatusReport report, CancellationToken ct)
    {
        var vm = task.VirtualMachine!;
        var now = time.GetUtcNow();
        var status = await ReadStatusAsync(task, vm, ct);
        if (status.Error is { } error)
        {
            // "Already processed" (code 3) answers a redelivered task: the agent restarted after taking it. Without a
            // finished status blob from the first attempt there is nothing to build a recovery point from.
            var message = report.Code == VmSnapshotExtension.Codes.SuccessAlreadyProcessedInput
                ? $"The VMSnapshot extension answered the redelivered task as already processed (code 3), but its first attempt left no result: {error.Message}"
                : error.Message;
            await DeleteTaskSnapshotsAsync(task, ct);
            Fail(job, task, error.Info, message, now);
            await MarkLastBackupFailedAsync(task, ct);
            await SaveGuardedAsync(ct);
            return;
        }

        // Take Snapshot is done: the recovery point exists now, in the snapshot (InstantRP) tier.
        var instantDays = await db.ProtectedItems.Where(i => i.Id == task.ProtectedItemId).Select(i => i.Policy == null ? 2 : i.Policy.InstantRpRetentionRangeInDays).FirstAsync(ct);
        var rp = new RecoveryPoint
        {
            Name = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(),
            ProtectedItemId = task.ProtectedItemId, JobId = job.Id, RecoveryPointTime = task.CommandStartTime,
            RecoveryPointType = status.Consistency switch
            {
                SnapshotMessage.ConsistencyApplication => "AppConsistent",
                SnapshotMessage.ConsistencyFileSystem => "FileSystemConsistent",
                _ => "CrashConsistent",
            },
            InstantRpValid = true,
            InstantRpExpiryTime = task.CommandStartTime.AddDays(instantDays),
            ExpiryTime = DateTimeOffset.TryParse(task.RecoveryPointExpiry, out var exp) ? exp : null,
            Disks = status.Disks,
        };
        db.RecoveryPoints.Add(rp);
        job.SnapshotTaskStatus = JobStatuses.Completed;
        job.SnapshotTaskEnd = now;
        job.TransferTaskStatus = JobStatuses.InProgress;
        job.TransferTaskStart = now;
        task.State = AgentTaskStates.Transferring;
        task.ExtensionCode = status.Code;
        // Whoever runs the transfer holds it for this long; if this process dies, the watchdog takes it over after.
        task.LeaseExpiresAt = now + options.Value.TransferLease;
        if (!await SaveGuardedAsync(ct)) return;

        await TransferAsync(task, job, rp, ct);
    }

    /// <summary>"Transfer data to vault": copies each disk snapshot into the vault's container, then settles everything.</summary>
    public async Task TransferAsync(AgentTask task, BackupJob job, RecoveryPoint rp, CancellationToken ct)
    {
        var item = await db.ProtectedItems.Include(i => i.Vault).FirstAsync(i => i.Id == task.ProtectedItemId, ct);
        var vaultContainer = BlobStorage.VaultContainer(item.Vault!.Key);
        long total = 0;
        try
        {
            foreach (var disk in rp.Disks)
            {
                var source = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(disk.SourceBlobUri));
                var target = $"{item.ProtectedItemDataId}/{rp.Name}/disk-{(disk.Lun < 0 ? "os" : disk.Lun.ToString())}.vhd";
                disk.SizeBytes = await storage.CopySnapshotToVaultAsync(source.BlobContainerName, source.BlobName, disk.Snapshot, vaultContainer, target, ct);
                disk.VaultContainer = vaultContainer;
                disk.VaultBlobName = target;
                total += disk.SizeBytes;
            }
        }
        catch (Exception e) when (BlobStorage.IsUnavailable(e) || e is InvalidOperationException)
        {
            logger.LogWarning("Transfer to vault failed for job {JobId}: {Message}", job.Id, e.Message);
            Fail(job, task, BackupErrors.BackUpOperationFailed, $"Transfer data to vault failed: {e.Message}", time.GetUtcNow());
            item.LastBackupStatus = "Failed";
            await SaveGuardedAsync(ct);
            return;
        }

        var now = time.GetUtcNow();
        rp.HardenedRpValid = true;
        job.TransferTaskStatus = JobStatuses.Completed;
        job.TransferTaskEnd = now;
        job.Status = JobStatuses.Completed;
        job.EndTime = now;
        job.BackupSizeBytes = total;
        item.ProtectionState = item.ProtectionState == ProtectionStates.IRPending ? ProtectionStates.Protected : item.ProtectionState;
        item.LastBackupStatus = "Completed";
        item.LastBackupTime = job.StartTime;
        item.LastRecoveryPointTime = rp.RecoveryPointTime;
        task.State = AgentTaskStates.Completed;
        task.CompletedAt = now;
        await SaveGuardedAsync(ct);
    }

    private sealed record StatusResult(List<RecoveryPointDisk> Disks, int Consistency, int Code, (BackupErrors.Info Info, string Message)? Error);

    /// <summary>Reads and checks the status blob the extension wrote: right task, success, one snapshot per disk.</summary>
    private async Task<StatusResult> ReadStatusAsync(AgentTask task, VirtualMachine vm, CancellationToken ct)
    {
        static StatusResult Failed(BackupErrors.Info info, string message) => new([], 0, 0, (info, message));
        var bytes = await storage.TryDownloadAsync(task.LogsContainer, GoalStateBuilder.StatusBlobName(vm.Name), ct);
        if (bytes is null) return Failed(BackupErrors.SnapshotTaskStatusError, "The agent reported success but wrote no status blob.");
        SnapshotStatusEntry entry;
        try
        {
            entry = SnapshotStatusDocument.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return Failed(BackupErrors.SnapshotTaskStatusError, $"The status blob could not be read: {e.Message}");
        }
        var s = entry.Status;
        if (s.TaskId != task.TaskId) return Failed(BackupErrors.SnapshotTaskStatusError, $"The status blob belongs to task '{s.TaskId}', not '{task.TaskId}'.");
        var failedDisk = s.SnapshotInfo?.FirstOrDefault(i => !i.IsSuccessful);
        if (s.Status != TaskStatuses.Success || failedDisk is not null)
            return Failed(BackupErrors.ExtensionOperationFailed, failedDisk?.ErrorMessage is { Length: > 0 } m ? m : $"The extension reported '{s.Status}' (code {s.Code}).");

        var disks = new List<RecoveryPointDisk>();
        foreach (var disk in vm.Disks)
        {
            var blobUri = storage.BlobUri(disk.BlobContainer, disk.BlobName).ToString();
            var info = s.SnapshotInfo?.FirstOrDefault(i => string.Equals(i.BlobUri, blobUri, StringComparison.OrdinalIgnoreCase));
            var snapshot = info?.SnapshotUri is { } uri ? new Azure.Storage.Blobs.BlobUriBuilder(new Uri(uri)).Snapshot : null;
            if (string.IsNullOrEmpty(snapshot))
                return Failed(BackupErrors.ExtensionOperationFailed, $"The status blob has no snapshot of disk '{disk.Name}'.");
            disks.Add(new RecoveryPointDisk { Lun = disk.Lun, SourceBlobUri = blobUri, Snapshot = snapshot });
        }
        var consistency = SnapshotMessage.ConsistencyCrash;
        try
        {
            consistency = JsonSerializer.Deserialize<SnapshotMessage>(s.FormattedMessage.Message, SnapshotStatusDocument.Json)?.SnapshotConsistency ?? consistency;
        }
        catch (JsonException)
        {
            // An unreadable message only loses the consistency level.
        }
        return new StatusResult(disks, consistency, int.TryParse(s.Code, out var code) ? code : 0, null);
    }

    /// <summary>
    /// Cancels a backup during its snapshot phase, as Azure allows: the job ends Cancelled and the task is withdrawn
    /// from the agent's goal state. Returns false when the job is past that phase (or finished).
    /// </summary>
    public async Task<bool> CancelAsync(BackupJob job, CancellationToken ct)
    {
        if (job.Operation != JobOperations.Backup || job.Status != JobStatuses.InProgress || job.SnapshotTaskStatus != JobStatuses.InProgress) return false;
        var task = await db.AgentTasks.Include(t => t.VirtualMachine).FirstOrDefaultAsync(t => t.JobId == job.Id, ct);
        if (task is not null && task.State is not (AgentTaskStates.Pending or AgentTaskStates.Transitioning)) return false;
        var now = time.GetUtcNow();
        job.Status = JobStatuses.Cancelled;
        job.EndTime = now;
        job.SnapshotTaskStatus = JobStatuses.Cancelled;
        job.SnapshotTaskEnd = now;
        job.TransferTaskStatus = JobStatuses.Cancelled;
        if (task is not null)
        {
            task.State = AgentTaskStates.Failed;
            task.CompletedAt = now;
            task.VirtualMachine!.Incarnation++;
        }
        if (!await SaveGuardedAsync(ct)) return false; // the agent's report won the race: the job is no longer cancellable
        if (task is not null)
        {
            notifier.Signal(task.VirtualMachineId);
            await DeleteTaskSnapshotsAsync(task, ct);
        }
        return true;
    }

    private async Task MarkLastBackupFailedAsync(AgentTask task, CancellationToken ct) =>
        (await db.ProtectedItems.FirstAsync(i => i.Id == task.ProtectedItemId, ct)).LastBackupStatus = "Failed";

    public static void Fail(BackupJob job, AgentTask? task, BackupErrors.Info info, string message, DateTimeOffset now)
    {
        job.Status = JobStatuses.Failed;
        job.EndTime = now;
        job.ErrorCode = info.Code;
        job.ErrorMessage = message;
        if (job.SnapshotTaskStatus == JobStatuses.InProgress) { job.SnapshotTaskStatus = JobStatuses.Failed; job.SnapshotTaskEnd = now; }
        if (job.TransferTaskStatus == JobStatuses.InProgress) { job.TransferTaskStatus = JobStatuses.Failed; job.TransferTaskEnd = now; }
        if (task is not null)
        {
            task.State = AgentTaskStates.Failed;
            task.CompletedAt = now;
        }
    }

    /// <summary>Saves unless another writer (a duplicate report, the watchdog) changed the task first; then this write loses.</summary>
    private async Task<bool> SaveGuardedAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Fails every task whose agent stayed silent past its deadline, with Azure's code for the case: the agent never
    /// fetched it (<c>UserErrorGuestAgentStatusUnavailable</c>) or never answered (<c>GuestAgentSnapshotTaskStatusError</c>).
    /// Also marks the item's last backup failed. Run by a Hangfire recurring job.
    /// </summary>
    public async Task<int> FailTimedOutTasksAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expired = await db.AgentTasks.Where(t => (t.State == AgentTaskStates.Pending || t.State == AgentTaskStates.Transitioning) && t.Deadline <= now)
            .OrderBy(t => t.Deadline).Take(1000).ToListAsync(ct);
        if (expired.Count == 0) return 0;
        var jobIds = expired.Select(t => t.JobId).ToList();
        var jobs = await db.BackupJobs.Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
        var itemIds = expired.Select(t => t.ProtectedItemId).ToList();
        var items = await db.ProtectedItems.Where(i => itemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        foreach (var task in expired)
        {
            var info = task.DeliveredAt is null ? BackupErrors.GuestAgentStatusUnavailable : BackupErrors.SnapshotTaskStatusError;
            var message = task.DeliveredAt is null
                ? $"The VM agent did not fetch the snapshot task within {options.Value.AgentTaskTimeout}."
                : $"The VM agent fetched the snapshot task but reported no result within {options.Value.AgentTaskTimeout}.";
            Fail(jobs[task.JobId], task, info, message, now);
            items[task.ProtectedItemId].LastBackupStatus = "Failed";
        }
        if (!await SaveGuardedAsync(ct)) return 0; // a report raced us; the next run catches what is still late
        foreach (var vmId in expired.Select(t => t.VirtualMachineId).Distinct()) notifier.Signal(vmId);
        foreach (var task in expired) await DeleteTaskSnapshotsAsync(task, ct);
        logger.LogInformation("{Count} snapshot tasks timed out", expired.Count);
        return expired.Count;
    }

    /// <summary>
    /// Offers again every task delivered but not acknowledged within its lease (the goal state was lost on the way, or
    /// the agent died before it saved the task): the VM's goal state changes, so a polling agent receives it at once.
    /// </summary>
    public async Task<int> ReofferExpiredLeasesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var vmIds = await db.AgentTasks.Where(t => t.State == AgentTaskStates.Pending && t.LeaseExpiresAt != null && t.LeaseExpiresAt <= now && t.Deadline > now)
            .Select(t => t.VirtualMachineId).Distinct().Take(1000).ToListAsync(ct);
        if (vmIds.Count == 0) return 0;
        await db.VirtualMachines.Where(v => vmIds.Contains(v.Id)).ExecuteUpdateAsync(u => u.SetProperty(v => v.Incarnation, v => v.Incarnation + 1), ct);
        foreach (var vmId in vmIds) notifier.Signal(vmId);
        logger.LogInformation("{Count} unacknowledged snapshot tasks offered again", vmIds.Count);
        return vmIds.Count;
    }

    /// <summary>
    /// Takes over every transfer whose runner stopped holding it (the process died mid-copy): the copy overwrites whole
    /// vault blobs and settles with a guarded write, so running it again after a partial run leaves one result.
    /// </summary>
    public async Task<int> ResumeStalledTransfersAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stalled = await db.AgentTasks.Where(t => t.State == AgentTaskStates.Transferring && (t.LeaseExpiresAt == null || t.LeaseExpiresAt <= now))
            .OrderBy(t => t.CommandStartTime).Select(t => t.Id).Take(200).ToListAsync(ct);
        var resumed = 0;
        foreach (var id in stalled)
        {
            // Claim it with one guarded UPDATE, so two watchdogs (or two nodes) never both take the same transfer.
            var lease = now + options.Value.TransferLease;
            var claimed = await db.AgentTasks.Where(t => t.Id == id && t.State == AgentTaskStates.Transferring && (t.LeaseExpiresAt == null || t.LeaseExpiresAt <= now))
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.LeaseExpiresAt, lease), ct);
            if (claimed == 0) continue;
            db.ChangeTracker.Clear();
            var task = await db.AgentTasks.FirstAsync(t => t.Id == id, ct);
            var job = await db.BackupJobs.FirstAsync(j => j.Id == task.JobId, ct);
            var rp = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.JobId == job.Id, ct);
            if (rp is null)
            {
                Fail(job, task, BackupErrors.BackUpOperationFailed, "The recovery point of this backup was lost before its transfer to the vault.", now);
                await SaveGuardedAsync(ct);
                continue;
            }
            logger.LogInformation("Resuming the transfer to vault of job {JobId}", job.Id);
            await TransferAsync(task, job, rp, ct);
            resumed++;
        }
        return resumed;
    }

    /// <summary>
    /// Deletes the disk snapshots a failed task's agent took (the extension tags each with the task id), so a failed,
    /// cancelled or crashed backup leaves no snapshot without a recovery point. Best effort: storage may be down.
    /// </summary>
    private async Task DeleteTaskSnapshotsAsync(AgentTask task, CancellationToken ct)
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
}
