using BackupControlPlane.Api.Arm;
using System.Text.Json;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The VMSnapshot extension's answer, as the service trusts it: not the agent's HTTP report but the status blob the
/// extension wrote (a JSON array with <c>snapshotInfo[]</c>), checked for the right task, success and one snapshot of
/// every disk the task named (selective disk backup leaves the others out).
/// </summary>
public sealed class SnapshotStatusReader(BlobStorage storage)
{
    /// <summary>What the status blob says; <paramref name="Warnings"/> are what degraded a successful snapshot's consistency.</summary>
    public sealed record StatusResult(List<RecoveryPointDisk> Disks, int Consistency, int Code, (BackupErrors.Info Info, string Message)? Error,
        IReadOnlyList<(BackupErrors.Info Info, string Message)>? Warnings = null);

    /// <summary>Reads and checks the status blob the extension wrote: right task, success, one snapshot per included disk.</summary>
    public async Task<StatusResult> ReadAsync(AgentTask task, VirtualMachine vm, CancellationToken ct)
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
        foreach (var disk in DiskExclusion.Included(vm.Disks, d => d.Lun, task.DiskExclusionJson))
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
        // Each warning substatus carries the extension's code: Azure's warning for it, the extension's words as detail.
        var warnings = (s.Substatus ?? []).Where(w => w?.Status == SnapshotSubstatus.WarningStatus)
            .Select(w => (ExtensionErrorMap.For(int.TryParse(w.Code, out var c) ? c : -1) ?? BackupErrors.ExtensionOperationFailed, w.FormattedMessage?.Message ?? ""))
            .ToList();
        return new StatusResult(disks, consistency, int.TryParse(s.Code, out var code) ? code : 0, null, warnings);
    }

}
