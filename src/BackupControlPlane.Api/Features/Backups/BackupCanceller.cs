using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Stage "cancelled" (<see cref="BackupLifecycle"/>): a backup is cancelled during its snapshot phase, as Azure allows.
/// The job ends Cancelled, the task leaves the agent's goal state, and any snapshot it took is deleted.
/// </summary>
public sealed class BackupCanceller(BackupDbContext db, BackupCleanup cleanup, AgentNotifier notifier, TimeProvider time)
{
    /// <summary>False when the job is past that phase (or finished), also when the agent's report wins the race.</summary>
    public async Task<bool> CancelAsync(BackupJob job, CancellationToken ct)
    {
        var task = await db.AgentTasks.FirstOrDefaultAsync(t => t.JobId == job.Id, ct);
        if (!BackupLifecycle.CanCancel(job, task)) return false;
        BackupLifecycle.Cancelled(job, task, time.GetUtcNow());
        if (!await db.SaveGuardedAsync(ct)) return false;
        if (task is null) return true;
        await db.BumpIncarnationsAsync([task.VirtualMachineId], ct);
        notifier.Signal(task.VirtualMachineId);
        await cleanup.DeleteTaskSnapshotsAsync(task, ct);
        return true;
    }
}
