using BackupControlPlane.Api.Arm;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Which Azure Backup error a VMSnapshot extension code stands for, when the extension fails a task or warns on a
/// successful one. The pairing follows the codes' names (VMBackup <c>common.py</c> against Learn's troubleshooting
/// pages): Azure does not publish it. Codes not listed stay Azure's generic "VMSnapshot extension operation failed".
/// </summary>
public static class ExtensionErrorMap
{
    public static BackupErrors.Info? For(int extensionCode) => extensionCode switch
    {
        VmSnapshotExtension.Codes.SnapshotFailedNoNetwork or 761 => ConsistencyErrors.NoNetwork,
        VmSnapshotExtension.Codes.SnapshotLimitReached => ConsistencyErrors.SnapshotLimitReached,
        VmSnapshotExtension.Codes.FsFreezeFailed or VmSnapshotExtension.Codes.FsFreezeTimeout => ConsistencyErrors.FsFreezeFailed,
        VmSnapshotExtension.Codes.PreScriptFailed => ConsistencyErrors.PreScriptExecutionFailed,
        VmSnapshotExtension.Codes.PostScriptFailed => ConsistencyErrors.PostScriptExecutionFailed,
        VmSnapshotExtension.Codes.PreScriptNotFound => ConsistencyErrors.PreScriptNotFound,
        VmSnapshotExtension.Codes.PostScriptNotFound => ConsistencyErrors.PostScriptNotFound,
        VmSnapshotExtension.Codes.PreScriptPermissionError => ConsistencyErrors.PreScriptPermission,
        VmSnapshotExtension.Codes.PostScriptPermissionError => ConsistencyErrors.PostScriptPermission,
        VmSnapshotExtension.Codes.PreScriptTimeout => ConsistencyErrors.PreScriptTimeout,
        VmSnapshotExtension.Codes.PostScriptTimeout => ConsistencyErrors.PostScriptTimeout,
        // Config parsing, not found and its permission/ownership errors (304-305, 313-318): the config can't be used.
        >= 304 and <= 305 or >= 313 and <= 318 => ConsistencyErrors.IncorrectJsonConfigFile,
        VmSnapshotExtension.Codes.VssWriterInBadState => ConsistencyErrors.VssWriterInBadState,
        VmSnapshotExtension.Codes.SnapshotTimeout => ConsistencyErrors.SnapshotTimeout,
        VmSnapshotExtension.Codes.HandlerInstallFailed => ConsistencyErrors.VmProvisioningStateFailed,
        _ => null,
    };
}
