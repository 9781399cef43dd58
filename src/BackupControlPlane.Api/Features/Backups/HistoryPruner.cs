using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Keeps the service's history bounded, as Azure does: finished jobs leave the job list after
/// <c>Emulator:JobHistoryRetention</c>, finished long-running operations stop answering after
/// <c>Emulator:OperationRetention</c>, finished agent tasks go after <c>Emulator:AgentTaskRetention</c>. Never pruned:
/// anything still running, the job that made a recovery point that still exists, and an existing item's latest settled
/// backup (its health and healthDetails come from it). Runs in the daily retention run; running it again deletes nothing more.
/// </summary>
public sealed class HistoryPruner(BackupDbContext db, TimeProvider time, EmulatorOptions options, ILogger logger)
{
    // Deleted in batches, so one run never holds SQLite's write turn for long whatever the backlog.
    private const int Batch = 500;

    public sealed record Result(int Jobs, int Operations, int Tasks);

    public async Task<Result> PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var taskCutoff = now - options.AgentTaskRetention;
        var tasks = await DeleteInBatchesAsync(
            db.AgentTasks.Where(t => (t.State == AgentTaskStates.Completed || t.State == AgentTaskStates.Failed) && t.CompletedAt != null && t.CompletedAt <= taskCutoff)
                .OrderBy(t => t.CompletedAt).Select(t => t.Id),
            ids => db.AgentTasks.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(ct), ct);

        var operationCutoff = now - options.OperationRetention;
        var operations = await DeleteInBatchesAsync(
            db.AsyncOperations.Where(o => o.EndTime != null && o.EndTime <= operationCutoff).OrderBy(o => o.EndTime).Select(o => o.Id),
            ids => db.AsyncOperations.Where(o => ids.Contains(o.Id)).ExecuteDeleteAsync(ct), ct);

        var jobCutoff = now - options.JobHistoryRetention;
        var settled = ItemHealth.SettledBackups(db);
        var jobs = await DeleteInBatchesAsync(
            db.BackupJobs.Where(j => j.EndTime != null && j.EndTime <= jobCutoff
                    && j.Status != JobStatuses.InProgress && j.Status != JobStatuses.Cancelling
                    && !db.RecoveryPoints.Any(r => r.JobId == j.Id)
                    && !settled.Any(o => o.Id == j.Id && db.ProtectedItems.Any(i => i.Id == o.ProtectedItemId)
                        && o.EndTime == settled.Where(x => x.ProtectedItemId == o.ProtectedItemId).Max(x => x.EndTime)))
                .OrderBy(j => j.EndTime).Select(j => j.Id),
            async ids =>
            {
                // An operation naming a job that is gone would point its client at a 404: it goes with the job.
                operations += await db.AsyncOperations.Where(o => o.JobId != null && ids.Contains(o.JobId.Value)).ExecuteDeleteAsync(ct);
                return await db.BackupJobs.Where(j => ids.Contains(j.Id)).ExecuteDeleteAsync(ct);
            }, ct);

        if (jobs + operations + tasks > 0)
            logger.LogInformation("History: {Jobs} jobs, {Operations} operations and {Tasks} agent tasks past their retention deleted", jobs, operations, tasks);
        return new Result(jobs, operations, tasks);
    }

    private static async Task<int> DeleteInBatchesAsync(IQueryable<Guid> prunable, Func<List<Guid>, Task<int>> delete, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var ids = await prunable.Take(Batch).ToListAsync(ct);
            if (ids.Count == 0) return deleted;
            deleted += await delete(ids);
            if (ids.Count < Batch) return deleted;
        }
    }
}
