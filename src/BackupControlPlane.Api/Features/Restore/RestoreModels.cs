namespace BackupControlPlane.Api.Features.Restore;

/// <summary>The body of POST …/recoveryPoints/{rp}/restore: a RestoreRequest resource (bms.json).</summary>
public sealed record RestoreRequest(IaasVmRestoreRequestProperties? Properties);

/// <summary>
/// IaasVMRestoreRequest as the az CLI and the SDKs send it. Fields the emulator has no use for (identityInfo,
/// diskEncryptionSetId, …) are accepted and ignored, as the service ignores what does not apply to the mode.
/// </summary>
public sealed record IaasVmRestoreRequestProperties(
    string? ObjectType, string? RecoveryPointId, string? RecoveryType, string? SourceResourceId, string? StorageAccountId,
    string? Region, string? TargetResourceGroupId, int[]? RestoreDiskLunList, bool? OriginalStorageAccountOption,
    bool? CreateNewCloudService, EncryptionDetails? EncryptionDetails, IdentityBasedRestoreDetails? IdentityBasedRestoreDetails,
    RecoveryPointRehydrationInfo? RecoveryPointRehydrationInfo = null,
    string? TargetVirtualMachineId = null, string? VirtualNetworkId = null, string? SubnetId = null, string[]? Zones = null);

public sealed record EncryptionDetails(bool? EncryptionEnabled);

public sealed record IdentityBasedRestoreDetails(string? TargetStorageAccountId);

/// <summary>The recoveryType values of an IaasVMRestoreRequest the emulator carries out.</summary>
public static class RestoreModes
{
    public const string RestoreDisks = "RestoreDisks";
    public const string AlternateLocation = "AlternateLocation";
    public const string OriginalLocation = "OriginalLocation";
}

/// <summary>
/// What an accepted restore will write, decided when the request is accepted and handed to the Hangfire job as its
/// argument, so that a re-run after a crash writes to the same places. <paramref name="DataDiskLuns"/> null means every
/// disk; the OS disk is always restored, as in Azure (an empty list is the CLI's --restore-only-osdisk).
/// <paramref name="VaultTierOnly"/>: a cross-region restore, which reads the replicated vault copy, never the snapshots;
/// <paramref name="Rehydrate"/>: an archived point, rehydrated first.
/// <paramref name="Managed"/> is set when the disks become managed disks (restore disks of a managed VM into a target
/// group, a new VM, or replaced disks) instead of VHDs in the staging account; <paramref name="NewVm"/> for a new VM;
/// <paramref name="OriginalStorageAccount"/> puts an unmanaged VM's VHDs beside its disks instead of in the staging account.
/// </summary>
public sealed record RestorePlan(string StorageAccount, string Container, string ConfigBlob, string TemplateBlob, int[]? DataDiskLuns,
    bool VaultTierOnly = false, RehydrationPlan? Rehydrate = null,
    string Mode = RestoreModes.RestoreDisks, ManagedDiskPlan? Managed = null, NewVmPlan? NewVm = null, bool OriginalStorageAccount = false);

/// <summary>Where the restored managed disks go and their names (fixed at request time), by LUN (-1: the OS disk).</summary>
public sealed record ManagedDiskPlan(string SubscriptionId, string ResourceGroup, string Location, string? Zone, RestoredDiskName[] Names);

public sealed record RestoredDiskName(int Lun, string Name);

/// <summary>The VM an AlternateLocation restore creates, with the NIC it gets in <paramref name="SubnetId"/>.</summary>
public sealed record NewVmPlan(string Name, Guid VmId, string NicName, long SubnetId);
