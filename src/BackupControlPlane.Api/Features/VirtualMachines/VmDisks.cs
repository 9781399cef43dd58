using System.Security.Cryptography;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>
/// Makes the disks of a new VM: each a page blob in blob storage (the agent snapshots it through its SAS, managed or
/// not). A new managed disk is also a <see cref="ManagedDisk"/> resource named as Azure names it
/// (<c>{vm}_OsDisk_1_{32 hex}</c>, <c>{vm}_disk{lun}_{32 hex}</c>) unless the request named it; an attached one lends
/// the VM its existing blob, and so does an attached VHD (unmanaged <c>createOption: Attach</c> with <c>vhd.uri</c>).
/// </summary>
public static class VmDisks
{
    /// <summary>Creates the blobs and rows (added to <paramref name="vm"/>, saved by the caller); returns the blobs made, for clean-up on failure.</summary>
    public static async Task<List<(string Container, string Blob)>> CreateAsync(VirtualMachine vm, IReadOnlyList<PlannedDisk> planned, VmSpec spec,
        BlobStorage storage, DateTimeOffset now, CancellationToken ct)
    {
        var created = new List<(string, string)>();
        foreach (var d in planned)
        {
            if (d.Attach is { } existing)
            {
                vm.Disks.Add(Row(vm, d, existing.Name, existing.BlobContainer, existing.BlobName, existing));
                continue;
            }
            if (d.AttachVhd is { } vhd)
            {
                var (vhdContainer, vhdBlob) = await storage.FindPageBlobAsync(vhd, ct)
                    ?? throw ArmException.BadRequest($"The VHD '{vhd.Split('?')[0]}' to attach is not a page blob in the emulator's blob storage.", "InvalidParameter");
                vm.Disks.Add(Row(vm, d, d.RequestedName ?? Path.GetFileNameWithoutExtension(vhdBlob), vhdContainer, vhdBlob, null));
                continue;
            }
            var name = d.RequestedName ?? (d.Lun < 0 ? $"{vm.Name}_OsDisk_1_{Hex()}" : $"{vm.Name}_disk{d.Lun}_{Hex()}");
            var (container, blob) = await storage.CreateDiskAsync(vm.VmId, vm.Name, name, d.Lun, d.SizeGB, ct);
            created.Add((container, blob));
            ManagedDisk? disk = null;
            if (d.Managed)
                disk = new ManagedDisk
                {
                    UniqueId = Guid.NewGuid(), SubscriptionId = vm.SubscriptionId, ResourceGroup = vm.ResourceGroup, Name = name,
                    Key = ResourceKeys.Of(vm.SubscriptionId, vm.ResourceGroup, name), Location = vm.Location, SkuName = d.StorageAccountType,
                    DiskSizeGB = d.SizeGB, OsType = d.Lun < 0 ? vm.OsType : null, CreateOption = d.Lun < 0 ? "FromImage" : "Empty",
                    ImageReferenceJson = d.Lun < 0 ? spec.ImageReferenceNode?.ToJsonString() : null,
                    ZonesJson = spec.Zones?.ToJsonString(), BlobContainer = container, BlobName = blob, CreatedAt = now,
                };
            vm.Disks.Add(Row(vm, d, name, container, blob, disk));
        }
        return created;
    }

    private static VirtualMachineDisk Row(VirtualMachine vm, PlannedDisk d, string name, string container, string blob, ManagedDisk? disk) => new()
    {
        Lun = d.Lun, Name = name, DiskSizeGB = d.SizeGB, BlobContainer = container, BlobName = blob, ManagedDisk = disk,
        Caching = d.Caching, CreateOption = d.CreateOption, DeleteOption = d.DeleteOption,
    };

    private static string Hex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// What deleting the VM leaves to delete in blob storage: its unmanaged VHDs and the managed disks whose deleteOption
    /// is Delete (their rows are removed here). Managed disks detached (Azure's default) keep their blob and become Unattached.
    /// </summary>
    public static List<(string Container, string Blob)> Release(VirtualMachine vm, BackupDbContext db)
    {
        var blobs = new List<(string, string)>();
        foreach (var d in vm.Disks)
        {
            if (d.ManagedDiskId is null) blobs.Add((d.BlobContainer, d.BlobName));
            else if (d.DeleteOption == "Delete" && d.ManagedDisk is { } disk)
            {
                blobs.Add((d.BlobContainer, d.BlobName));
                db.VirtualMachineDisks.Remove(d);
                db.ManagedDisks.Remove(disk);
            }
        }
        return blobs;
    }
}
