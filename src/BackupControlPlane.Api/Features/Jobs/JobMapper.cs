using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Jobs;

public static class JobMapper
{
    public const string SnapshotTask = "Take Snapshot";
    public const string TransferTask = "Transfer data to vault";
    /// <summary>The one task of a restore-disks job; it keeps its status and times in the transfer-task columns.</summary>
    public const string RestoreTask = "Restore disks";

    /// <summary>
    /// The job as Azure answers it. Only GET one job (JobDetails, backupCrrJob) carries <c>extendedInfo</c> (tasks and
    /// property bag); the lists (backupJobs, backupCrrJobs) leave it out, as the spec examples ListJobs.json and
    /// ListCrrJobs_Post.json do, so a script reading tasks from the list fails here as it would on Azure.
    /// </summary>
    public static JobResource ToResource(string vaultId, BackupJob job, DateTimeOffset now, bool details)
    {
        IReadOnlyList<JobErrorInfo>? errors = null;
        if (job.ErrorCode is not null)
        {
            var info = BackupErrors.Find(job.ErrorCode);
            errors = [new JobErrorInfo(info.Number, job.ErrorMessage ?? info.Message, info.Code, [info.Recommendation])];
        }
        return new JobResource(
            ArmIds.Job(vaultId, job.Id), job.Id.ToString(), "Microsoft.RecoveryServices/vaults/backupJobs",
            new JobProperties("AzureIaaSVMJob", job.EntityFriendlyName, "AzureIaasVM", job.Operation, job.Status,
                job.StartTime.UtcDateTime, job.EndTime?.UtcDateTime, Duration(job.StartTime, job.EndTime, now), job.ActivityId.ToString(), "Compute",
                details ? ExtendedInfo(job, now) : null, errors));
    }

    private static JobExtendedInfo ExtendedInfo(BackupJob job, DateTimeOffset now)
    {
        var tasks = new List<JobTask>();
        if (job.Operation == JobOperations.Backup)
        {
            tasks.Add(Task(SnapshotTask, job.SnapshotTaskStatus, job.SnapshotTaskStart, job.SnapshotTaskEnd, now));
            tasks.Add(Task(TransferTask, job.TransferTaskStatus, job.TransferTaskStart, job.TransferTaskEnd, now));
        }
        else if (job.Operation == JobOperations.Restore)
            tasks.Add(Task(RestoreTask, job.TransferTaskStatus, job.TransferTaskStart, job.TransferTaskEnd, now));
        var bag = new Dictionary<string, string> { ["VM Name"] = job.EntityFriendlyName };
        if (job.BackupSizeBytes is { } size) bag["Backup Size"] = $"{Math.Max(1, size / (1024 * 1024))} MB";
        if (job.PropertyBagJson is { } extra)
            foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(extra) ?? []) bag[key] = value;
        return new JobExtendedInfo(tasks, bag);
    }

    private static JobTask Task(string name, string? status, DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now) =>
        new(name, start is null ? "PT0S" : Duration(start.Value, end, now), status ?? JobStatuses.NotStarted, start?.UtcDateTime, end?.UtcDateTime);

    public static string Duration(DateTimeOffset start, DateTimeOffset? end, DateTimeOffset now) =>
        XmlConvert.ToString((end ?? now) - start < TimeSpan.Zero ? TimeSpan.Zero : (end ?? now) - start);

    public static OperationStatusResource ToOperationStatus(AsyncOperation op) => new(
        op.Id.ToString(), op.Id.ToString(), op.Status, op.StartTime, op.EndTime,
        op.ErrorCode is null ? null : new OperationError(op.ErrorCode, op.ErrorMessage ?? op.ErrorCode),
        op.PropertiesJson is { } extended ? JsonNode.Parse(extended) : new OperationStatusProperties("OperationStatusJobExtendedInfo", op.JobId?.ToString()));
}
