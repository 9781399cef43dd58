using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Stages "acknowledged" and "reported" (<see cref="BackupLifecycle"/>): the agent's report on its snapshot task. A
/// success is checked against the status blob, the snapshots are made durable, the recovery point is recorded in the
/// snapshot tier and the vault transfer is handed to Hangfire. The agent's request only records; it never copies.
/// </summary>
public sealed class SnapshotReportHandler(
    BackupDbContext db, BlobStorage storage, SnapshotStatusReader statusReader, BackupCleanup cleanup,
    ExpressJobs express, TimeProvider time, Infrastructure.Telemetry.TaskTraces traces, ILogger<SnapshotReportHandler> logger)
{
    /// <summary>
    /// Returns null for an unknown task, a receipt with state "Forbidden" for another VM's task, and otherwise the task's
    /// state after the report (terminal reports on terminal tasks change nothing).
    /// </summary>
    public async Task<TaskStatusReceipt?> HandleReportAsync(long vmId, string taskId, TaskStatusReport report, CancellationToken ct)
    {
        var task = await db.AgentTasks.Include(t => t.VirtualMachine!).ThenInclude(v => v.Disks).ThenInclude(d => d.ManagedDisk).FirstOrDefaultAsync(t => t.TaskId == taskId, ct);
        if (task is null) return null;
        if (task.VirtualMachineId != vmId) return new TaskStatusReceipt(taskId, "Forbidden");
        if (AgentTaskStates.IsTerminal(task.State) || task.State == AgentTaskStates.Transferring)
        {
            // A late answer to a task that already failed (timed out, cancelled) may have left snapshots behind.
            if (task.State == AgentTaskStates.Failed && report.Status != TaskStatuses.Transitioning) await cleanup.DeleteTaskSnapshotsAsync(task, ct);
            return new TaskStatusReceipt(taskId, task.State);
        }

        var job = await db.BackupJobs.FirstAsync(j => j.Id == task.JobId, ct);
        // A span of the backup's trace: the transfer job queued below carries it on (Infrastructure/Telemetry/HangfireTracing).
        using var span = traces.Start("bcp.backup.report", task.Id);
        span?.SetTag("bcp.report.status", report.Status);
        span?.SetTag("bcp.report.code", report.Code);
        span?.SetTag("bcp.job.id", job.Id.ToString());
        switch (report.Status)
        {
            case TaskStatuses.Transitioning:
                BackupLifecycle.Acknowledged(task);
                await db.SaveGuardedAsync(ct);
                break;
            case TaskStatuses.Error:
                // Snapshots first: once the job shows Failed, nothing of it is left in storage.
                await cleanup.DeleteTaskSnapshotsAsync(task, ct);
                // A code of the fault catalogue ends the job with Azure's own error and words; any other stays the generic one.
                var known = ExtensionErrorMap.For(report.Code);
                BackupLifecycle.Failed(job, task, await ItemAsync(task, ct), known ?? BackupErrors.ExtensionOperationFailed,
                    known is null ? $"VMSnapshot extension failed (code {report.Code}): {report.Message}" : $"{known.Message} (extension code {report.Code}: {report.Message})",
                    time.GetUtcNow());
                task.ExtensionCode = report.Code;
                await db.SaveGuardedAsync(ct);
                break;
            case TaskStatuses.Success:
                await RecordSnapshotAsync(task, job, report, ct);
                break;
        }
        return new TaskStatusReceipt(taskId, task.State);
    }

    private async Task RecordSnapshotAsync(AgentTask task, BackupJob job, TaskStatusReport report, CancellationToken ct)
    {
        var status = await statusReader.ReadAsync(task, task.VirtualMachine!, ct);
        if (status.Error is { } error)
        {
            // "Already processed" (code 3) answers a redelivered task: the agent restarted after taking it. Without a
            // finished status blob from the first attempt there is nothing to build a recovery point from.
            var message = report.Code == VmSnapshotExtension.Codes.SuccessAlreadyProcessedInput
                ? $"The VMSnapshot extension answered the redelivered task as already processed (code 3), but its first attempt left no result: {error.Message}"
                : error.Message;
            await cleanup.DeleteTaskSnapshotsAsync(task, ct);
            BackupLifecycle.Failed(job, task, await ItemAsync(task, ct), error.Info, message, time.GetUtcNow());
            await db.SaveGuardedAsync(ct);
            return;
        }

        // The agent's snapshots were acknowledged to the agent, not to us: durable before a point refers to them.
        await storage.FlushAsync(ct);
        var now = time.GetUtcNow();
        var instantDays = await db.ProtectedItems.Where(i => i.Id == task.ProtectedItemId).Select(i => i.Policy == null ? 2 : i.Policy.InstantRpRetentionRangeInDays).FirstAsync(ct);
        var point = new RecoveryPoint
        {
            Name = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(),
            ProtectedItemId = task.ProtectedItemId, JobId = job.Id, RecoveryPointTime = task.CommandStartTime,
            RecoveryPointType = status.Consistency switch
            {
                SnapshotMessage.ConsistencyApplication => "AppConsistent",
                SnapshotMessage.ConsistencyFileSystem => "FileSystemConsistent",
                _ => "CrashConsistent",
            },
            InstantRpExpiryTime = task.CommandStartTime.AddDays(instantDays),
            ExpiryTime = DateTimeOffset.TryParse(task.RecoveryPointExpiry, out var exp) ? exp : null,
            Disks = status.Disks,
        };
        BackedUpDisks.Describe(point, job, task);
        db.RecoveryPoints.Add(point);
        System.Diagnostics.Activity.Current?.AddEvent(new("bcp.recovery_point.instant", tags: new() { ["bcp.recovery_point"] = point.Name }));
        BackupLifecycle.Reported(task, job, point, status.Code, now);
        if (status.Warnings is [var (warning, detail), ..])
        {
            BackupLifecycle.Warned(job, warning, $"{warning.Message} ({detail})");
            logger.LogInformation("Task {TaskId}: {Type} point with warning {Warning} ({Detail})", task.TaskId, point.RecoveryPointType, warning.Code, detail);
        }
        // Created before the commit, so no crash can leave a committed transfer without its job; scheduled a little ahead
        // as a safety net and run at once after the commit (Infrastructure/ExpressJobs), so no worker meets it uncommitted.
        var transfer = await express.PrepareAsync<VaultTransferJob>(j => j.RunAsync(task.Id, null, CancellationToken.None), ct);
        if (await db.SaveGuardedAsync(ct))
        {
            logger.LogDebug("Task {TaskId}: recovery point {Point} recorded, transfer to vault started", task.TaskId, point.Name);
            var taskId = task.Id;
            express.Run<VaultTransferJob>(transfer, (j, token) => j.RunNowAsync(taskId, token));
        }
        else
            await express.DeleteAsync(transfer, CancellationToken.None); // another report settled the task first, with a transfer of its own
    }

    private Task<ProtectedItem> ItemAsync(AgentTask task, CancellationToken ct) => db.ProtectedItems.FirstAsync(i => i.Id == task.ProtectedItemId, ct);
}
