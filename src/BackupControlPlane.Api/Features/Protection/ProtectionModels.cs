using BackupControlPlane.Api.Features.Jobs;
namespace BackupControlPlane.Api.Features.Protection;

public sealed record ProtectedItemRequest(ProtectedItemRequestProperties? Properties);

public sealed record ProtectedItemRequestProperties(string? ProtectedItemType, string? SourceResourceId, string? PolicyId, string? ProtectionState, bool? IsRehydrate = null,
    ProtectedItemExtendedProperties? ExtendedProperties = null);

public sealed record ProtectedItemResource(string Id, string Name, string Type, ProtectedItemProperties Properties,
    [property: System.Text.Json.Serialization.JsonPropertyName("eTag")] string? ETag = null);

public sealed record ProtectedItemProperties(
    string FriendlyName, string VirtualMachineId, string SourceResourceId, string ProtectionStatus, string ProtectionState,
    string HealthStatus, IReadOnlyList<HealthDetail>? HealthDetails, string LastBackupStatus, DateTimeOffset LastBackupTime, DateTimeOffset? LastRecoveryPoint,
    string ProtectedItemDataId, ProtectedItemExtendedInfo ExtendedInfo, string ProtectedItemType, string BackupManagementType,
    string WorkloadType, string ContainerName, string? PolicyId, string? PolicyName,
    bool? IsScheduledForDeferredDelete = null, DateTimeOffset? DeferredDeleteTimeInUTC = null, string? DeferredDeleteTimeRemaining = null,
    ProtectedItemExtendedProperties? ExtendedProperties = null);

public sealed record ProtectedItemExtendedInfo(int RecoveryPointCount, bool PolicyInconsistent, DateTimeOffset? OldestRecoveryPoint);

public sealed record ProtectableItemResource(string Id, string Name, string Type, ProtectableItemProperties Properties);

public sealed record ProtectableItemProperties(
    string BackupManagementType, string ProtectableItemType, string WorkloadType, string FriendlyName,
    string VirtualMachineId, string VirtualMachineVersion, string ResourceGroup, string ProtectionState);

public sealed record ProtectionContainerResource(string Id, string Name, string Type, ProtectionContainerProperties Properties);

public sealed record ProtectionContainerProperties(
    string FriendlyName, string BackupManagementType, string RegistrationStatus, string HealthStatus,
    string ContainerType, string ProtectableObjectType, string VirtualMachineId, string VirtualMachineVersion, string ResourceGroup);

/// <summary>Body of the CLI-style convenience endpoint: the arguments of <c>az backup protection enable-for-vm</c>.</summary>
public sealed record EnableForVmRequest(string? ResourceGroup, string? VaultName, string? Vm, string? PolicyName, string? SubscriptionId);
