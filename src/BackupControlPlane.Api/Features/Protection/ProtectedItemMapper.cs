using BackupControlPlane.Api.Features.Jobs;
using System.Xml;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Vaults;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>The ARM views of a protected item and of its container, as Azure shows them.</summary>
public static class ProtectedItemMapper
{
    public static ProtectedItemResource ToResource(Vault vault, ProtectedItem item, (int Count, DateTimeOffset? Oldest) points,
        ItemHealth.SettledBackup? latest, DateTimeOffset now)
    {
        var vm = item.VirtualMachine!;
        var vmId = ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name);
        var vaultId = ArmLookups.VaultId(vault);
        var health = ItemHealth.Of(item, latest);
        return new ProtectedItemResource(
            ArmIds.ProtectedItem(vaultId, item.ContainerName), ArmIds.ProtectedItemName(item.ContainerName),
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
            new ProtectedItemProperties(vm.Name, vmId, vmId, health.ProtectionStatus, item.ProtectionState, health.HealthStatus, health.HealthDetails,
                item.LastBackupStatus, health.LastBackupTime, item.LastRecoveryPointTime,
                item.ProtectedItemDataId.ToString(), new ProtectedItemExtendedInfo(points.Count, false, points.Oldest),
                "Microsoft.Compute/virtualMachines", "AzureIaasVM", "VM", item.ContainerName,
                item.Policy is null ? null : ArmIds.Policy(vaultId, item.Policy.Name), item.Policy?.Name,
                item.DeferredDeleteTime is null ? null : true, item.DeferredDeleteTime,
                item.DeferredDeleteTime is { } purge ? XmlConvert.ToString(purge - now > TimeSpan.Zero ? purge - now : TimeSpan.Zero) : null,
                DiskExclusionRequest.View(item.DiskExclusionJson)),
            ArmPreconditions.Format(item.ETag));
    }

    /// <summary>
    /// An IaaS VM container exists in a vault because its VM's item is registered there, so it is Registered; its health
    /// is its item's: Unhealthy while the item's last backup failed.
    /// </summary>
    public static ProtectionContainerResource ToContainer(string vaultId, ProtectedItem item)
    {
        var vm = item.VirtualMachine!;
        return new ProtectionContainerResource(ArmIds.Container(vaultId, item.ContainerName), ArmIds.ContainerResourceName(item.ContainerName),
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers",
            new ProtectionContainerProperties(vm.Name, "AzureIaasVM", "Registered",
                item.LastBackupStatus == ItemHealth.Failed ? "Unhealthy" : "Healthy", "Microsoft.Compute/virtualMachines",
                "Microsoft.Compute/virtualMachines", ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name), "Compute", vm.ResourceGroup));
    }
}
