namespace BackupControlPlane.Api.Data;

// Rows keep the names as the client first spelled them and a lowercased key for lookups, because ARM names are
// case-insensitive but echoed back as created.

/// <summary>
/// An ARM resource with an entity tag: a fresh random value whenever its row changes (BackupDbContext bumps it on
/// every save), so clients can make conditional writes with If-Match / If-None-Match.
/// </summary>
public interface IVersioned
{
    string ETag { get; set; }
}

public static class ETags
{
    public static string New() => Guid.NewGuid().ToString("N");
}

/// <summary>Internal bookkeeping that no client sees as part of the resource: changing it keeps the ETag.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotInETagAttribute : Attribute;

public sealed class VirtualMachine
{
    public long Id { get; set; }
    public Guid VmId { get; set; }
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string OsType { get; set; }
    public string? VmSize { get; set; }
    /// <summary>The tags the VM was last PUT with, as a JSON object of strings.</summary>
    public string? TagsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Bumped whenever the agent's goal state changes (an extension or a task appears).</summary>
    public long Incarnation { get; set; }
    /// <summary>The <c>n</c> of the last <c>taskId</c> issued to this VM.</summary>
    public int TaskSequence { get; set; }
    public DateTimeOffset? AgentLastSeen { get; set; }
    /// <summary>The public certificate the VM's agent registered (base64 DER); protected settings are encrypted to it.</summary>
    public string? AgentCertificate { get; set; }
    public string? AgentCertificateThumbprint { get; set; }
    /// <summary>Bumped by each registration, so credentials issued for an earlier certificate stop working.</summary>
    public int AgentRegistration { get; set; }
    public string? AgentVersion { get; set; }
    /// <summary>The fault the emulator's control route injected into this VM's agent (JSON of <c>AgentFault</c>); delivered in its goal state.</summary>
    public string? AgentFaultJson { get; set; }
    /// <summary>
    /// What else the VM was PUT with that Azure keeps, as a JSON object (Features/VirtualMachines/VmSpec): the property
    /// members other than the hardware and storage profiles (osProfile without its secrets, networkProfile,
    /// securityProfile…), the image reference, zones, identity and plan.
    /// </summary>
    public string? SpecJson { get; set; }
    public List<VirtualMachineDisk> Disks { get; set; } = [];
    public List<VirtualMachineExtension> Extensions { get; set; } = [];
}

public sealed class VirtualMachineExtension
{
    public long Id { get; set; }
    public long VirtualMachineId { get; set; }
    public VirtualMachine? VirtualMachine { get; set; }
    public required string Name { get; set; }
    public required string Publisher { get; set; }
    public required string Type { get; set; }
    public required string TypeHandlerVersion { get; set; }
    public bool AutoUpgradeMinorVersion { get; set; }
    public required string ProvisioningState { get; set; }
    /// <summary>Public settings of the current sequence number, as JSON; protected settings are never stored.</summary>
    public string? PublicSettingsJson { get; set; }
    public int SequenceNumber { get; set; }
    public string? HandlerVersionReported { get; set; }
    public DateTimeOffset? StatusTime { get; set; }
    public string? StatusMessage { get; set; }
}

public sealed class Vault : IVersioned
{
    public long Id { get; set; }
    public string ETag { get; set; } = ETags.New();
    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string Name { get; set; }
    public required string Key { get; set; }
    public required string Location { get; set; }
    public required string SkuName { get; set; }
    public string? TagsJson { get; set; }
    /// <summary>The vault's settings (<see cref="VaultSettings"/>) as JSON; null for a vault made before they were kept (Azure's defaults).</summary>
    public string? SettingsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public List<BackupPolicy> Policies { get; set; } = [];
}

public sealed partial class BackupPolicy : IVersioned
{
    public long Id { get; set; }
    public string ETag { get; set; } = ETags.New();
    public long VaultId { get; set; }
    public Vault? Vault { get; set; }
    public required string Name { get; set; }
    public required string ScheduleRunFrequency { get; set; }
    /// <summary>Run times as "HH:mm" in the policy's time zone (Azure writes them as full timestamps of which only the time counts).</summary>
    public required string ScheduleRunTimes { get; set; }
    public required string TimeZone { get; set; }
    /// <summary>For weekly schedules: the run days ("Sunday,Wednesday"); empty for daily ones.</summary>
    public string ScheduleRunDays { get; set; } = "";
    /// <summary>The policy's LongTermRetentionPolicy as Azure's JSON; null means daily retention of <see cref="DailyRetentionDays"/> only.</summary>
    public string? RetentionJson { get; set; }
    public int DailyRetentionDays { get; set; }
    public int InstantRpRetentionRangeInDays { get; set; }
    public string? EnhancedJson { get; set; } // an Enhanced (V2) policy's schedule and snapshotConsistencyType (Policies/EnhancedPolicyStore); null: Standard
    /// <summary>When the next scheduled slot of this policy is due, and the Hangfire job that will run it.</summary>
    [NotInETag] public DateTimeOffset? NextSlotUtc { get; set; }
    [NotInETag] public string? NextSlotJobId { get; set; }
}

public static class ProtectionStates
{
    public const string IRPending = "IRPending";
    public const string Protected = "Protected";
    public const string ProtectionStopped = "ProtectionStopped";
    /// <summary>Backups stopped, points kept as the policy says (the last one for ever): only on an immutable vault.</summary>
    public const string BackupsSuspended = "BackupsSuspended";
}

public sealed class ProtectedItem : IVersioned
{
    public long Id { get; set; }
    public string ETag { get; set; } = ETags.New();
    public long VaultId { get; set; }
    public Vault? Vault { get; set; }
    public long VirtualMachineId { get; set; }
    public VirtualMachine? VirtualMachine { get; set; }
    public long? PolicyId { get; set; }
    public BackupPolicy? Policy { get; set; }
    /// <summary>"iaasvmcontainerv2;{rg};{vm}", lowercased as Azure writes it.</summary>
    public required string ContainerName { get; set; }
    public required string ProtectionState { get; set; }
    public string LastBackupStatus { get; set; } = "";
    public DateTimeOffset? LastBackupTime { get; set; }
    public DateTimeOffset? LastRecoveryPointTime { get; set; }
    public long ProtectedItemDataId { get; set; }
    public DateTimeOffset ProtectedAt { get; set; }
    /// <summary>Set when the item's data was deleted under soft delete: it is purged for good at this time unless undeleted.</summary>
    public DateTimeOffset? DeferredDeleteTime { get; set; }
    /// <summary>Selective disk backup (<see cref="DiskExclusion"/> as JSON); null: every disk is backed up.</summary>
    public string? DiskExclusionJson { get; set; }
}

public static class JobStatuses
{
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
    public const string CompletedWithWarnings = "CompletedWithWarnings"; // its warning is kept in the job's error columns
    public const string Failed = "Failed";
    public const string NotStarted = "NotStarted";
    public const string Cancelled = "Cancelled";
    public const string Cancelling = "Cancelling";
}

public static partial class JobOperations
{
    public const string ConfigureBackup = "ConfigureBackup";
    public const string Backup = "Backup";
    public const string DisableBackup = "DisableBackup";
    public const string DeleteBackupData = "DeleteBackupData";
    public const string Restore = "Restore";
    public const string Undelete = "Undelete";
}

public sealed class BackupJob
{
    public Guid Id { get; set; }
    public long VaultId { get; set; }
    public long? ProtectedItemId { get; set; }
    public required string EntityFriendlyName { get; set; }
    public required string Operation { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public Guid ActivityId { get; set; }
    public string? SnapshotTaskStatus { get; set; }
    public DateTimeOffset? SnapshotTaskStart { get; set; }
    public DateTimeOffset? SnapshotTaskEnd { get; set; }
    public string? TransferTaskStatus { get; set; }
    public DateTimeOffset? TransferTaskStart { get; set; }
    public DateTimeOffset? TransferTaskEnd { get; set; }
    public long? BackupSizeBytes { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The scheduled slot this backup belongs to; with the item, unique: a slot is backed up once.</summary>
    public DateTimeOffset? ScheduledSlotUtc { get; set; }
    /// <summary>For restores: the recovery point restored.</summary>
    public long? RecoveryPointId { get; set; }
    /// <summary>Extra propertyBag entries shown on the job (restore targets), as a JSON object of strings.</summary>
    public string? PropertyBagJson { get; set; }
    /// <summary>
    /// The region the job runs in when it is not the vault's own: a cross-region restore's job runs in the vault's paired
    /// secondary region and is listed there (backupCrrJobs) only. Null: the vault's region.
    /// </summary>
    public string? Region { get; set; }
}

public static class AgentTaskStates
{
    public const string Pending = "Pending";
    public const string Transitioning = "Transitioning";
    public const string Transferring = "Transferring";
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    public static bool IsTerminal(string state) => state is Completed or Failed;
}

/// <summary>A snapshot command handed to a VM's agent through the VMSnapshot extension.</summary>
public sealed class AgentTask
{
    public Guid Id { get; set; }
    /// <summary>"&lt;guid&gt;_&lt;n&gt;" as the extension expects it.</summary>
    public required string TaskId { get; set; }
    public int SequenceNumber { get; set; }
    public long VirtualMachineId { get; set; }
    public VirtualMachine? VirtualMachine { get; set; }
    public long ProtectedItemId { get; set; }
    public Guid JobId { get; set; }
    public required string State { get; set; }
    public DateTimeOffset CommandStartTime { get; set; }
    public DateTimeOffset Deadline { get; set; }
    /// <summary>The per-task <c>bcdrextensionlogs-&lt;guid&gt;</c> container holding the status and log blobs.</summary>
    public required string LogsContainer { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>Until when the delivered task is the agent's to acknowledge; unacknowledged past it, it is offered again.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    /// <summary>How many times the task went out in a goal state; more than one means it was redelivered.</summary>
    public int DeliveryCount { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int? ExtensionCode { get; set; }
    public string? RecoveryPointExpiry { get; set; }
    /// <summary>The item's selective disk backup setting when the task started (<see cref="DiskExclusion"/>); null: every disk.</summary>
    public string? DiskExclusionJson { get; set; }
}

public sealed partial class RecoveryPoint
{
    public long Id { get; set; }
    /// <summary>The numeric name Azure gives recovery points.</summary>
    public required string Name { get; set; }
    public long ProtectedItemId { get; set; }
    public Guid JobId { get; set; }
    public DateTimeOffset RecoveryPointTime { get; set; }
    public required string RecoveryPointType { get; set; }
    public bool InstantRpValid { get; set; }
    public bool HardenedRpValid { get; set; }
    public DateTimeOffset? ExpiryTime { get; set; }
    /// <summary>When the snapshot tier (InstantRP) expires: the policy's instantRpRetentionRangeInDays after the backup.</summary>
    public DateTimeOffset? InstantRpExpiryTime { get; set; }
    /// <summary>The disks the point holds and those it left out (<see cref="PointDiskConfiguration"/> as JSON); null for points older than selective disk backup.</summary>
    public string? DiskConfigurationJson { get; set; }
    /// <summary>When the point's file-recovery session (provisionInstantItemRecovery) ends; null or past: no session.</summary>
    public DateTimeOffset? IlrSessionExpiry { get; set; }
    /// <summary>The blob container holding the session's read-only copies of the point's disks; deleted when the session ends.</summary>
    public string? IlrSessionContainer { get; set; }
    public string? VmStateJson { get; set; } // the VM when the backup ran (PointVmState as JSON); null for older points
    public List<RecoveryPointDisk> Disks { get; set; } = [];

    /// <summary>A file-recovery session is open on the point (isInstantIlrSessionActive).</summary>
    public bool IlrSessionActive(DateTimeOffset now) => IlrSessionExpiry > now;
}

public sealed class RecoveryPointDisk
{
    public long Id { get; set; }
    public long RecoveryPointId { get; set; }
    public int Lun { get; set; }
    public required string SourceBlobUri { get; set; }
    /// <summary>The blob snapshot's timestamp (<c>x-ms-snapshot</c>).</summary>
    public required string Snapshot { get; set; }
    public string? VaultContainer { get; set; }
    public string? VaultBlobName { get; set; }
    public long SizeBytes { get; set; }
}
