namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The Azure Backup error codes the emulator produces, with Azure's messages and recommendations (azure-docs
/// backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout.md). Jobs carry the numeric code in <c>errorCode</c> and
/// the name in <c>errorTitle</c>.
/// </summary>
public static class BackupErrors
{
    public sealed record Info(string Code, int Number, string Message, string Recommendation);

    public static readonly Info GuestAgentStatusUnavailable = new("UserErrorGuestAgentStatusUnavailable", 400034,
        "VM Agent unable to communicate with Azure Backup.",
        "Ensure the VM agent is running and can reach the service, then retry the backup.");

    public static readonly Info SnapshotTaskStatusError = new("GuestAgentSnapshotTaskStatusError", 400045,
        "Could not communicate with the VM agent for snapshot status.",
        "The agent received the snapshot task but did not report its result in time; check the agent, then retry.");

    public static readonly Info ExtensionOperationFailed = new("ExtentionOperationFailed", 400097,
        "VMSnapshot extension operation failed.",
        "Check the extension's log blob for the failing disk, fix it, then retry the backup.");

    public static readonly Info BackupOperationInProgress = new("UserErrorBackupOperationInProgress", 400007,
        "Unable to perform the operation as another backup operation is in progress.",
        "Wait for the running backup of this item to finish, then retry.");

    public static readonly Info BackUpOperationFailed = new("BackUpOperationFailed", 400001,
        "Backup failed with an internal error.",
        "Retry the operation in a few minutes.");

    // Restore (azure-docs backup-azure-vms-troubleshoot.md; the in-progress code is the one Azure documents for restores to a busy target).
    public static readonly Info InstantRpNotFound = new("UserErrorInstantRpNotFound", 400213,
        "Restore failed because the snapshot of the VM was not found. The snapshot could have been deleted, please check.",
        "Try to restore the VM from a different restore point.");

    public static readonly Info AnotherRestoreInProgress = new("UserErrorAnotherRestoreInProgressOnSameTarget", 400214,
        "Another restore job is in progress on the same target.",
        "Wait for the running restore to finish, then retry.");

    private static readonly Dictionary<string, Info> ByCode = new[]
    {
        GuestAgentStatusUnavailable, SnapshotTaskStatusError, ExtensionOperationFailed, BackupOperationInProgress, BackUpOperationFailed,
        InstantRpNotFound, AnotherRestoreInProgress,
    }.Concat(ConsistencyErrors.All).ToDictionary(i => i.Code);

    public static Info Find(string code) => ByCode.GetValueOrDefault(code) ?? BackUpOperationFailed with { Code = code };
}
