using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The safety net under "Transfer data to vault": a task still Transferring past its deadline has lost its
/// <see cref="VaultTransferJob"/> (its retries ran out on a database error, a node died in a way Hangfire did not notice,
/// someone deleted it from the dashboard), so the watchdog queues the transfer again and gives it a new deadline. A
/// healthy transfer of emulated disks takes milliseconds, so the net never races a live one in practice; if it does, the
/// job is idempotent (whole-blob copies, a settle guarded by the task's state) and one result remains.
/// </summary>
public sealed class StalledTransfers(
    BackupDbContext db, IBackgroundJobClient jobs, TimeProvider time, IOptions<EmulatorOptions> options, ILogger<StalledTransfers> logger)
{
    public async Task<int> ResumeAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stalled = await db.AgentTasks.Where(t => t.State == AgentTaskStates.Transferring && t.Deadline <= now)
            .OrderBy(t => t.Deadline).Take(1000).ToListAsync(ct);
        if (stalled.Count == 0) return 0;
        foreach (var task in stalled) task.Deadline = now + options.Value.AgentTaskTimeout;
        // The new deadline first: were the process to die before the enqueue, the next deadline catches it again.
        if (!await db.SaveGuardedAsync(ct)) return 0; // a transfer settled meanwhile; the next run sees what is still stalled
        foreach (var task in stalled)
        {
            jobs.Enqueue<VaultTransferJob>(j => j.RunAsync(task.Id, null, CancellationToken.None));
            logger.LogWarning("Task {TaskId}: transfer to vault stalled since its deadline; queued again", task.TaskId);
        }
        return stalled.Count;
    }
}
