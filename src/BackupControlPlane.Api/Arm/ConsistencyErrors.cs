namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The Azure Backup codes of the failures users meet on VM snapshots and of degraded consistency, with Azure's messages
/// and recommendations: Learn's backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout (agent and extension),
/// backup-azure-vms-troubleshoot (fsfreeze, VSS, timeouts) and backup-azure-linux-app-consistent (pre/post scripts).
/// The string codes and messages are Azure's; the numbers in <c>errorCode</c> are the emulator's own (Azure does not
/// publish them). See docs/application-consistency.md.
/// </summary>
public static class ConsistencyErrors
{
    public static readonly BackupErrors.Info NoNetwork = new("ExtensionSnapshotFailedNoNetwork", 400110,
        "Snapshot operation failed due to no network connectivity on the virtual machine",
        "Make sure the VM has outbound connectivity to Azure Storage and to 168.63.129.16 on ports 80, 443 and 32526, and that DHCP is enabled inside the guest, then retry the operation.");

    public static readonly BackupErrors.Info VmProvisioningStateFailed = new("UserErrorVmProvisioningStateFailed", 400111,
        "The VM is in failed provisioning state",
        "An extension failure put the VM into a failed provisioning state: make sure all extensions are in provisioning succeeded state. Remove a failed VMSnapshot extension (the next backup installs it again) and trigger an on-demand backup.");

    public static readonly BackupErrors.Info RpCollectionLimitReached = new("UserErrorRpCollectionLimitReached", 400112,
        "The Restore Point collection max limit has reached.",
        "Remove the lock on the restore point resource group (AzureBackupRG_<Geo>_<number>) and retry to trigger clean-up; only 18 instant restore points can be associated with a VM, so avoid several backups per day.");

    public static readonly BackupErrors.Info FsFreezeFailed = new("UserErrorFsFreezeFailed", 400113,
        "Failed to freeze one or more mount-points of the VM to take a file-system consistent snapshot.",
        "Unmount the devices whose file system state wasn't cleaned, run fsck on them and mount them again, or skip the mount point with MountsToSkip in vmbackup.conf; remove duplicate mount points, then retry the backup.");

    public static readonly BackupErrors.Info SnapshotTimeout = new("ExtensionFailedTimeoutVMNetworkUnresponsive", 400114,
        "Snapshot operation failed due to inadequate VM resources.",
        "Create the snapshot through the host (SnapshotMethod firstHostThenGuest), schedule the backup when the VM is under less load, or increase the VM size, then retry the operation.");

    public static readonly BackupErrors.Info SnapshotLimitReached = new("ExtensionFailedSnapshotLimitReachedError", 400115,
        "Snapshot operation failed as snapshot limit is exceeded for some of the disks attached",
        "Delete the disk blob snapshots that aren't required (never the disk blobs), then retry the operation.");

    public static readonly BackupErrors.Info VssWriterInBadState = new("ExtensionFailedVssWriterInBadState", 400116,
        "Snapshot operation failed because VSS writers were in a bad state.",
        "Run 'vssadmin list writers' and restart the service of every VSS writer not in state [1] Stable; check free disk space, memory and CPU on the VM.");

    // Pre/post scripts (backup-azure-linux-app-consistent, "Troubleshooting").
    public static readonly BackupErrors.Info PreScriptExecutionFailed = new("Pre-ScriptExecutionFailed", 400120,
        "The prescript returned an error, so backup might not be application-consistent.",
        "Look at the failure logs for your script to fix the issue.");

    public static readonly BackupErrors.Info PostScriptExecutionFailed = new("Post-ScriptExecutionFailed", 400121,
        "The post-script returned an error that might impact application state.",
        "Look at the failure logs for your script to fix the issue and check the application state.");

    public static readonly BackupErrors.Info PreScriptNotFound = new("Pre-ScriptNotFound", 400122,
        "The prescript wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
        "Make sure that prescript is present at the path that's specified in the config file to ensure application-consistent backup.");

    public static readonly BackupErrors.Info PostScriptNotFound = new("Post-ScriptNotFound", 400123,
        "The post-script wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
        "Make sure that post-script is present at the path that's specified in the config file to ensure application-consistent backup.");

    public static readonly BackupErrors.Info IncorrectJsonConfigFile = new("IncorrectJSONConfigFile", 400124,
        "The VMSnapshotScriptPluginConfig.json file is incorrect, so prescript and post-script can't run and the backup won't be application-consistent.",
        "Download the copy from GitHub (MicrosoftAzureBackup/VMSnapshotPluginConfig) and configure it again.");

    private const string ScriptPermissions =
        "For running scripts, \"root\" user should be the owner of the file and the file should have \"700\" permissions (that is, only \"owner\" should have \"read\", \"write\", and \"execute\" permissions).";
    private const string ScriptPermissionsFix =
        "Make sure \"root\" user is the \"owner\" of the script file and that only \"owner\" has \"read\", \"write\" and \"execute\" permissions.";

    public static readonly BackupErrors.Info PreScriptPermission = new("InsufficientPermissionforPre-Script", 400125, ScriptPermissions, ScriptPermissionsFix);

    public static readonly BackupErrors.Info PostScriptPermission = new("InsufficientPermissionforPost-Script", 400126, ScriptPermissions, ScriptPermissionsFix);

    public static readonly BackupErrors.Info PreScriptTimeout = new("Pre-ScriptTimeout", 400127,
        "The execution of the application-consistent backup pre-script timed-out.",
        "Check the script and increase the timeout in the VMSnapshotScriptPluginConfig.json file that's located at /etc/azure.");

    public static readonly BackupErrors.Info PostScriptTimeout = new("Post-ScriptTimeout", 400128,
        "The execution of the application-consistent backup post-scripts timed out.",
        "Check the script and increase the timeout in the VMSnapshotScriptPluginConfig.json file that's located at /etc/azure.");

    public static readonly IReadOnlyList<BackupErrors.Info> All =
    [
        NoNetwork, VmProvisioningStateFailed, RpCollectionLimitReached, FsFreezeFailed, SnapshotTimeout, SnapshotLimitReached, VssWriterInBadState,
        PreScriptExecutionFailed, PostScriptExecutionFailed, PreScriptNotFound, PostScriptNotFound, IncorrectJsonConfigFile,
        PreScriptPermission, PostScriptPermission, PreScriptTimeout, PostScriptTimeout,
    ];
}
