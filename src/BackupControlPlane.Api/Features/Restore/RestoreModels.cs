namespace BackupControlPlane.Api.Features.Restore;

/// <summary>The body of POST …/recoveryPoints/{rp}/restore: a RestoreRequest resource (bms.json).</summary>
public sealed record RestoreRequest(IaasVmRestoreRequestProperties? Properties);

/// <summary>
/// IaasVMRestoreRequest as the az CLI and the SDKs send it. Fields the emulator has no use for (identityInfo, zones,
/// diskEncryptionSetId, …) are accepted and ignored, as the service ignores what does not apply to restore disks.
/// </summary>
public sealed record IaasVmRestoreRequestProperties(
    string? ObjectType, string? RecoveryPointId, string? RecoveryType, string? SourceResourceId, string? StorageAccountId,
    string? Region, string? TargetResourceGroupId, int[]? RestoreDiskLunList, bool? OriginalStorageAccountOption,
    bool? CreateNewCloudService, EncryptionDetails? EncryptionDetails, IdentityBasedRestoreDetails? IdentityBasedRestoreDetails,
    RecoveryPointRehydrationInfo? RecoveryPointRehydrationInfo = null);

public sealed record EncryptionDetails(bool? EncryptionEnabled);

public sealed record IdentityBasedRestoreDetails(string? TargetStorageAccountId);

/// <summary>
/// What an accepted restore will write, decided when the request is accepted and handed to the Hangfire job as its
/// argument, so that a re-run after a crash writes to the same places. <paramref name="DataDiskLuns"/> null means every
/// disk; the OS disk is always restored, as in Azure (an empty list is the CLI's --restore-only-osdisk).
/// <paramref name="VaultTierOnly"/>: a cross-region restore, which reads the replicated vault copy, never the snapshots.
/// </summary>
public sealed record RestorePlan(string StorageAccount, string Container, string ConfigBlob, string TemplateBlob, int[]? DataDiskLuns,
    bool VaultTierOnly = false, RehydrationPlan? Rehydrate = null);
