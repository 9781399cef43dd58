using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Stage "timed out" (<see cref="BackupLifecycle"/>), and the re-offer of a task whose delivery was lost. Both run from
/// the watchdog (a Hangfire recurring job, every minute).
/// </summary>
public sealed class TaskTimeouts(
    BackupDbContext db, BackupCleanup cleanup, AgentNotifier notifier, TimeProvider time, IOptions<EmulatorOptions> options, ILogger<TaskTimeouts> logger)
{
    /// <summary>
    /// Fails every task whose agent stayed silent past its deadline, with Azure's code for the case: the agent never
    /// fetched it (<c>UserErrorGuestAgentStatusUnavailable</c>) or never answered (<c>GuestAgentSnapshotTaskStatusError</c>).
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
            BackupLifecycle.Failed(jobs[task.JobId], task, items[task.ProtectedItemId], info, message, now);
        }
        if (!await db.SaveGuardedAsync(ct)) return 0; // a report raced us; the next run catches what is still late
        foreach (var vmId in expired.Select(t => t.VirtualMachineId).Distinct()) notifier.Signal(vmId);
        foreach (var task in expired) await cleanup.DeleteTaskSnapshotsAsync(task, ct);
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
        await db.BumpIncarnationsAsync(vmIds, ct);
        foreach (var vmId in vmIds) notifier.Signal(vmId);
        logger.LogInformation("{Count} unacknowledged snapshot tasks offered again", vmIds.Count);
        return vmIds.Count;
    }
}
