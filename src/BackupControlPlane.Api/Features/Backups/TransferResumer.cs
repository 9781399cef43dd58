using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Finishes transfers whose node died. The transfer runs inside the agent's report request; if that node is killed
/// after the recovery point was recorded (task Transferring) the agent's retry is answered "Transferring" and nothing
/// else would ever settle the job. Rerunning is safe: the copies overwrite the same vault blobs and the settle is
/// guarded by the task's state, so a transfer that was merely slow ends once, with one recovery point.
/// </summary>
public sealed class TransferResumer(BackupDbContext db, BackupOrchestrator orchestrator, TimeProvider time, IOptions<EmulatorOptions> options, ILogger<TransferResumer> logger)
{
    public async Task<int> ResumeStalledAsync(CancellationToken ct)
    {
        var stalledBefore = time.GetUtcNow() - options.Value.TransferStallTimeout;
        var stalled = await db.AgentTasks
            .Where(t => t.State == AgentTaskStates.Transferring
                && db.BackupJobs.Any(j => j.Id == t.JobId && j.Status == JobStatuses.InProgress && j.TransferTaskStart <= stalledBefore))
            .OrderBy(t => t.CommandStartTime).Take(100).ToListAsync(ct);
        foreach (var task in stalled)
        {
            var job = await db.BackupJobs.FirstAsync(j => j.Id == task.JobId, ct);
            var rp = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.JobId == job.Id, ct);
            if (rp is null) continue;
            logger.LogWarning("Transfer of job {JobId} stalled since {Start:o}; running it again", job.Id, job.TransferTaskStart);
            await orchestrator.TransferAsync(task, job, rp, ct);
        }
        return stalled.Count;
    }
}
