using BackupControlPlane.Api.Arm;
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
/// Stage "started" (<see cref="BackupLifecycle"/>): a Backup job and its snapshot task for each item, installing the
/// VMSnapshot extension on a VM's first backup. The task's logs container exists, durably, before the task is
/// committed, because the agent writes its status there.
/// </summary>
public sealed class BackupStarter(
    BackupDbContext db, BlobStorage storage, AgentNotifier notifier, AgentPresence presence, GoalStateBuilder goalStates, TimeProvider time,
    IOptions<EmulatorOptions> options, Infrastructure.Telemetry.TaskTraces traces, ILogger<BackupStarter> logger) : Scheduling.ISlotBackups
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
                var skipped = BackupLifecycle.NewJob(item, now, slot);
                BackupLifecycle.Failed(skipped, null, null, BackupErrors.BackupOperationInProgress, BackupErrors.BackupOperationInProgress.Message, now);
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
        if (tasks.Count > 0) await storage.FlushAsync(ct);
        await db.SaveChangesAsync(ct);
        // The goal state changed: after the tasks are committed, so an agent woken by it reads them (Data/VmIncarnation).
        await db.BumpIncarnationsAsync(tasks.Select(t => t.VirtualMachineId).ToList(), ct);
        foreach (var t in tasks) notifier.Signal(t.VirtualMachineId);
        logger.LogInformation("Slot {Slot:o} of policy {Policy}: {Count} backups started", slot, policy.Name, tasks.Count);
        return jobs;
    }

    /// <summary>
    /// Backup now: one on-demand backup whose recovery point expires at <paramref name="expiry"/>. Runs inside the
    /// caller's transaction (the busy check and the insert must be one); adds the rows without saving them: the caller
    /// adds its own and calls <see cref="SaveStartedAsync"/>, and signals the agent after its commit.
    /// The caller has created the task's logs container (<see cref="LogsContainer"/> of <paramref name="taskGuid"/>),
    /// durably, before its transaction: no storage round trip under the write lock. A job already Failed got no task.
    /// </summary>
    public async Task<OnDemandBackup> StartOnDemandBackupAsync(ProtectedItem item, DateTimeOffset expiry, Guid taskGuid, CancellationToken ct)
    {
        var busy = await db.BackupJobs.AnyAsync(j => j.ProtectedItemId == item.Id && j.Operation == JobOperations.Backup && j.Status == JobStatuses.InProgress, ct);
        if (busy) throw new Arm.ArmException(400, BackupErrors.BackupOperationInProgress.Code, BackupErrors.BackupOperationInProgress.Message);
        if (FailIfAgentUnavailable(item, time.GetUtcNow(), null) is { } unavailable) return new(unavailable, null, item.VirtualMachine!);
        var (job, task) = Prepare(item, time.GetUtcNow(), null, expiry, taskGuid);
        return new(job, task, item.VirtualMachine!);
    }

    /// <summary>A backup-now's job, its task (null when the job failed at once) and the VM (its disks and extensions loaded by the caller).</summary>
    public sealed record OnDemandBackup(BackupJob Job, AgentTask? Task, VirtualMachine Vm)
    {
        /// <summary>The VM's incarnation with the task, when the task was leased to a poll held here; else null.</summary>
        public long? LeasedAt { get; set; }
    }

    /// <summary>
    /// Saves what <see cref="StartOnDemandBackupAsync"/> added, with the caller's own rows (its async operation), in one
    /// SaveChanges, then bumps the VM's incarnation when a task was issued: one write of the route's transaction fewer.
    /// When the task was leased to a poll held here, also reads the VM's new incarnation for <see cref="ComposeForHeldPoll"/>.
    /// </summary>
    public async Task SaveStartedAsync(OnDemandBackup started, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        if (started.Task is not { } task) return;
        if (task.LeaseExpiresAt is null)
        {
            await db.BumpIncarnationsAsync([started.Vm.Id], ct);
            return;
        }
        // Exact: the route's transaction holds the VM's row (SQLite's write lock; PostgreSQL aborts it on a concurrent bump).
        started.LeasedAt = await db.BumpIncarnationAsync(started.Vm.Id, ct);
    }

    /// <summary>
    /// Call after the commit: the goal state the route committed, for the poll its task was leased to, which answers with
    /// it instead of reading the VM and the task again (<see cref="AgentNotifier.Signal"/>). Composed outside the write
    /// lock. Null when no poll was held here, or when it cannot be composed (the poll then builds it from the database).
    /// </summary>
    public PreparedGoalState? ComposeForHeldPoll(OnDemandBackup started)
    {
        if (started is not { Task: { } task, LeasedAt: { } incarnation }) return null;
        try
        {
            return new(goalStates.Compose(started.Vm, task, incarnation), task.Id);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            logger.LogWarning(e, "Goal state of VM {VmId} not composed with its task; the poll reads it", started.Vm.VmId);
            return null;
        }
    }

    /// <summary>Where the extension writes a task's status and log blobs; made before the task is committed.</summary>
    public static string LogsContainer(Guid taskGuid) => $"bcdrextensionlogs-{taskGuid}";

    /// <summary>
    /// A VM whose agent is Not Ready, or that fails Azure's other checks (<see cref="BackupPreconditions"/>), gets no
    /// task: its job fails at once with Azure's code, as Azure checks the VM before it sends the extension anything.
    /// </summary>
    private BackupJob? FailIfAgentUnavailable(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot)
    {
        var vm = item.VirtualMachine!;
        var seen = vm.AgentLastSeen is { } last ? $"last heard from at {last:u}" : "never heard from";
        var refusal = presence.IsUnavailable(vm)
            ? (BackupErrors.GuestAgentStatusUnavailable, $"{BackupErrors.GuestAgentStatusUnavailable.Message} The VM agent of '{vm.Name}' is Not Ready ({seen}).")
            : BackupPreconditions.Check(vm);
        if (refusal is not var (info, message)) return null;
        var job = BackupLifecycle.NewJob(item, now, slot);
        BackupLifecycle.Failed(job, null, item, info, message, now);
        db.BackupJobs.Add(job);
        return job;
    }

    /// <summary>A Backup job and its snapshot task; installs the VMSnapshot extension on the VM's first backup.</summary>
    private (BackupJob, AgentTask) Prepare(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot, DateTimeOffset expiry, Guid? id = null)
    {
        var vm = item.VirtualMachine!;
        var job = BackupLifecycle.NewJob(item, now, slot);
        vm.TaskSequence++;
        var taskGuid = id ?? Guid.NewGuid();
        var task = new AgentTask
        {
            Id = taskGuid, TaskId = $"{taskGuid}_{vm.TaskSequence}", SequenceNumber = vm.TaskSequence, VirtualMachineId = vm.Id,
            ProtectedItemId = item.Id, JobId = job.Id, State = AgentTaskStates.Pending, CommandStartTime = now,
            Deadline = now + options.Value.AgentTaskTimeout, LogsContainer = LogsContainer(taskGuid),
            RecoveryPointExpiry = expiry.ToString("o"), DiskExclusionJson = item.DiskExclusionJson,
        };
        if (notifier.IsWaiting(vm.Id))
        {
            // The agent holds a poll here, woken right after the commit: the task is leased to it in this write, and the
            // poll hands it over without a write turn of its own. Not taken, the lease runs out and TaskTimeouts offers it again.
            task.DeliveredAt = now;
            task.LeaseExpiresAt = now + options.Value.AgentTaskLease;
            task.DeliveryCount = 1;
        }
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
        traces.Remember(task.Id); // the task's delivery, report and transfer join this request's (or slot job's) trace
        return (job, task);
    }
}
