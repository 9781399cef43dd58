using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The one place that states a backup's life and changes its state. Each stage below is one file doing its I/O and
/// then calling one transition here; every transition is guarded by the task's previous state (an optimistic
/// concurrency token), so a repeated or late stage changes nothing.
///
/// <code>
/// stage         file                      job / "Take Snapshot" / "Transfer data to vault"   task            recovery point
/// started       BackupStarter             InProgress / InProgress / NotStarted               Pending         –
/// issued        GoalStateBuilder (Agents) (lease written when the goal state goes out)       Pending         –
/// acknowledged  SnapshotReportHandler     –                                                  Transitioning   –
/// reported      SnapshotReportHandler     InProgress / Completed / InProgress                Transferring    InstantRP
/// warned        SnapshotReportHandler     (a warning kept for settled)                        –               –
/// settled       VaultTransferJob          Completed[WithWarnings] / Completed / Completed     Completed       InstantRP + HardenedRP
/// failed        any stage above           Failed (Azure's code)                              Failed          deleted with its data
/// cancelled     BackupCanceller           Cancelled (only while Pending or Transitioning)    Failed          –
/// timed out     TaskTimeouts              Failed (agent silent past the deadline)            Failed          –
/// </code>
///
/// Blob writes a stage relies on are made durable before its transition commits ("flush, then commit", see
/// <see cref="Infrastructure.BlobDurability"/>): a crash can leave blobs nobody points to (the orphan sweep removes
/// them), never a row pointing to blobs that are gone.
/// </summary>
public static class BackupLifecycle
{
    public static BackupJob NewJob(ProtectedItem item, DateTimeOffset now, DateTimeOffset? slot) => new()
    {
        Id = Guid.NewGuid(), VaultId = item.VaultId, ProtectedItemId = item.Id, EntityFriendlyName = item.VirtualMachine!.Name,
        Operation = JobOperations.Backup, Status = JobStatuses.InProgress, StartTime = now, ActivityId = Guid.NewGuid(),
        ScheduledSlotUtc = slot, SnapshotTaskStatus = JobStatuses.InProgress, SnapshotTaskStart = now, TransferTaskStatus = JobStatuses.NotStarted,
    };

    /// <summary>acknowledged: the agent took the task; its lease now runs to the task's deadline.</summary>
    public static void Acknowledged(AgentTask task)
    {
        task.State = AgentTaskStates.Transitioning;
        task.LeaseExpiresAt = task.Deadline;
    }

    /// <summary>reported: the snapshots exist (and are durable); the point is in the snapshot tier and the transfer begins.</summary>
    public static void Reported(AgentTask task, BackupJob job, RecoveryPoint point, int extensionCode, DateTimeOffset now)
    {
        job.SnapshotTaskStatus = JobStatuses.Completed;
        job.SnapshotTaskEnd = now;
        job.TransferTaskStatus = JobStatuses.InProgress;
        job.TransferTaskStart = now;
        task.State = AgentTaskStates.Transferring;
        task.ExtensionCode = extensionCode;
        task.LeaseExpiresAt = null;
        point.InstantRpValid = true;
    }

    /// <summary>
    /// warned: the snapshot stands but something degraded it (its consistency); the job completes with warnings and
    /// shows Azure's warning in errorDetails, kept in the job's error columns.
    /// </summary>
    public static void Warned(BackupJob job, BackupErrors.Info warning, string message)
    {
        job.ErrorCode = warning.Code;
        job.ErrorMessage = message;
    }

    /// <summary>settled: the vault copies exist (and are durable); job, point and item show the finished backup.</summary>
    public static void Settled(AgentTask task, BackupJob job, RecoveryPoint point, ProtectedItem item, long bytes, DateTimeOffset now)
    {
        point.HardenedRpValid = true;
        job.TransferTaskStatus = JobStatuses.Completed;
        job.TransferTaskEnd = now;
        job.Status = job.ErrorCode is null ? JobStatuses.Completed : JobStatuses.CompletedWithWarnings;
        job.EndTime = now;
        job.BackupSizeBytes = bytes;
        item.ProtectionState = item.ProtectionState == ProtectionStates.IRPending ? ProtectionStates.Protected : item.ProtectionState;
        item.LastBackupStatus = "Completed";
        item.LastBackupTime = job.StartTime;
        item.LastRecoveryPointTime = point.RecoveryPointTime;
        task.State = AgentTaskStates.Completed;
        task.CompletedAt = now;
    }

    /// <summary>
    /// failed: the job ends with Azure's error and the item's last backup shows it. The caller deletes the recovery
    /// point (if one was recorded) and the task's snapshots: Azure never shows a point of a failed backup.
    /// </summary>
    public static void Failed(BackupJob job, AgentTask? task, ProtectedItem? item, BackupErrors.Info info, string message, DateTimeOffset now)
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
        if (item is not null) item.LastBackupStatus = "Failed";
    }

    /// <summary>cancelled: only during the snapshot phase, as Azure allows; the task is withdrawn from the goal state.</summary>
    public static bool CanCancel(BackupJob job, AgentTask? task) =>
        job.Operation == JobOperations.Backup && job.Status == JobStatuses.InProgress && job.SnapshotTaskStatus == JobStatuses.InProgress
        && (task is null || task.State is AgentTaskStates.Pending or AgentTaskStates.Transitioning);

    public static void Cancelled(BackupJob job, AgentTask? task, DateTimeOffset now)
    {
        job.Status = JobStatuses.Cancelled;
        job.EndTime = now;
        job.SnapshotTaskStatus = JobStatuses.Cancelled;
        job.SnapshotTaskEnd = now;
        job.TransferTaskStatus = JobStatuses.Cancelled;
        if (task is null) return;
        task.State = AgentTaskStates.Failed;
        task.CompletedAt = now;
    }
}
