using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// Replace existing disks (<c>recoveryType: OriginalLocation</c>), as Azure does it: first a copy of the VM's current
/// disks is kept in the staging storage account (the job's container, under <c>pre-restore/</c>), then the point's disks
/// become new managed disks in the VM's group and take the place of the VM's disks, LUN for LUN. The old disks stay in
/// the group, unattached, for the user to delete. The VM keeps its identity, NICs and extensions; with every disk
/// restored, its disks are afterwards the point's (a disk added since the backup is detached, one removed comes back).
/// </summary>
public sealed class OriginalLocationRestore(BackupDbContext db, BlobStorage storage)
{
    public const string PreRestoreFolder = "pre-restore";

    public static RestoreEndpoints.RestoreTarget Check(IaasVmRestoreRequestProperties p, RestoreEndpoints.RestoreTarget basic, string storageSubscription,
        ProtectedItem item, RecoveryPoint point, PointVmState state)
    {
        var vm = item.VirtualMachine!;
        if (!storageSubscription.Equals(vm.SubscriptionId, StringComparison.OrdinalIgnoreCase)
            || ArmResourceIds.Parse(p.TargetVirtualMachineId, "Microsoft.Compute/virtualMachines") is { } t && !t.SubscriptionId.Equals(vm.SubscriptionId, StringComparison.OrdinalIgnoreCase))
            throw RestoreRefusals.CrossSubscriptionForOlr();
        RestoreEndpoints.RequireWholeVm(point, RestoreModes.OriginalLocation);
        if (!state.IsManaged || vm.Disks.Any(d => d.ManagedDiskId is null))
            throw ArmException.BadRequest($"Replacing disks (recoveryType 'OriginalLocation') is supported for VMs with managed disks only; '{vm.Name}' " +
                (state.IsManaged ? "now has unmanaged disks." : "had unmanaged disks when recovery point " + point.Name + " was taken.") +
                " Restore its disks (recoveryType 'RestoreDisks') instead.", RestoreEndpoints.NotSupported);
        foreach (var (name, value) in new[] { ("targetResourceGroupId", p.TargetResourceGroupId), ("targetVirtualMachineId", p.TargetVirtualMachineId),
                     ("virtualNetworkId", p.VirtualNetworkId), ("subnetId", p.SubnetId) })
            if (!string.IsNullOrEmpty(value) && !SameGroupOrVm(name, value, vm))
                throw ArmException.BadRequest($"properties.{name} '{value}' does not apply to recoveryType 'OriginalLocation', which restores into the source VM " +
                    $"'{vm.Name}': leave it out, or use 'AlternateLocation' for a new VM.");
        if (p.Zones is { Length: > 0 })
            throw ArmException.BadRequest("properties.zones does not apply to recoveryType 'OriginalLocation': the VM keeps its zone.");
        return basic with { TargetResourceGroup = vm.ResourceGroup, Managed = new(vm.SubscriptionId, vm.ResourceGroup, vm.Location, null, vm.Name) };
    }

    /// <summary>The source VM's own group or id are harmless echoes (the REST doc's example sends them as null).</summary>
    private static bool SameGroupOrVm(string name, string value, VirtualMachine vm) => name switch
    {
        "targetResourceGroupId" => value.TrimEnd('/').Equals(ArmIds.ResourceGroup(vm.SubscriptionId, vm.ResourceGroup), StringComparison.OrdinalIgnoreCase),
        "targetVirtualMachineId" => value.TrimEnd('/').Equals(ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name), StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>The copy of the VM's current disks (those about to be replaced) in the staging container, before anything changes.</summary>
    public async Task PreserveAsync(VirtualMachine vm, IEnumerable<int> luns, string container, CancellationToken ct)
    {
        foreach (var disk in vm.Disks.Where(d => luns.Contains(d.Lun)))
            await storage.CopyPageBlobAsync(disk.BlobContainer, disk.BlobName, null, container, $"{PreRestoreFolder}/{disk.Name}.vhd", ct);
    }

    /// <summary>
    /// Points the VM's disks at the restored managed disks (tracked changes, saved by the caller with the job's
    /// completion). With every disk restored, LUNs the point lacks are detached; their managed disks stay.
    /// </summary>
    public async Task SwapAsync(long vmId, IReadOnlyList<RestoreArtifacts.RestoredDisk> restored, bool everyDisk, CancellationToken ct)
    {
        var vm = await db.VirtualMachines.Include(v => v.Disks).FirstOrDefaultAsync(v => v.Id == vmId, ct)
            ?? throw new InvalidOperationException("the VM was deleted after the restore was requested");
        foreach (var d in restored)
        {
            var row = vm.Disks.FirstOrDefault(x => x.Lun == d.Lun);
            if (row is null) vm.Disks.Add(row = new VirtualMachineDisk { Lun = d.Lun, Name = d.Name, BlobContainer = "", BlobName = "", CreateOption = "Attach", DeleteOption = "Detach" });
            row.Name = d.Name;
            row.DiskSizeGB = d.Managed!.DiskSizeGB;
            row.ManagedDisk = d.Managed;
            row.BlobContainer = d.Managed.BlobContainer;
            row.BlobName = d.Managed.BlobName;
        }
        if (everyDisk)
            foreach (var gone in vm.Disks.Where(x => restored.All(d => d.Lun != x.Lun)).ToList())
                db.VirtualMachineDisks.Remove(gone);
    }
}
