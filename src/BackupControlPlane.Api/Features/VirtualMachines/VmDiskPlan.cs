using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>One disk of a VM PUT, checked: unmanaged (a VHD page blob of the VM) or managed (a Microsoft.Compute/disks resource).</summary>
public sealed record PlannedDisk(int Lun, string? RequestedName, int SizeGB, string? Caching, string? CreateOption, string? DeleteOption,
    bool Managed, string StorageAccountType, ManagedDisk? Attach, string? AttachVhd = null)
{
    public string Name => RequestedName ?? Attach?.Name ?? throw new InvalidOperationException("A new managed disk is named when created.");
}

/// <summary>
/// Reads a VM PUT's storageProfile into <see cref="PlannedDisk"/>s. A VM is managed when its OS disk has a
/// <c>managedDisk</c>, or no <c>vhd</c> but an <c>imageReference</c> (as Azure creates it); otherwise its disks are
/// the emulator's unmanaged VHDs, exactly as before managed disks existed. Azure does not mix the two in one VM.
/// </summary>
public static class VmDiskPlan
{
    private static readonly string[] AccountTypes = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS"];

    public static async Task<List<PlannedDisk>> ReadAsync(string sub, string location, VirtualMachineRequest body, long? vmId, BackupDbContext db, CancellationToken ct)
    {
        var storage = body.Properties!.StorageProfile!;
        var os = storage.OsDisk!;
        var managed = os.ManagedDisk is not null || (os.Vhd is null && storage.ImageReference is not null);
        var dataDisks = storage.DataDisks ?? [];
        if (dataDisks.Count > 64) throw ArmException.BadRequest("A VM has at most 64 data disks.");
        if (dataDisks.Any(d => d.Lun is null or < 0 or > 63)) throw ArmException.BadRequest("Every data disk needs a 'lun' from 0 to 63.");
        if (dataDisks.Select(d => d.Lun).Distinct().Count() != dataDisks.Count) throw ArmException.BadRequest("Data disk LUNs must be unique.");

        var disks = new List<PlannedDisk>
        {
            await PlanAsync(sub, location, "properties.storageProfile.osDisk", -1, os.Name, os.DiskSizeGB, os.Caching, os.CreateOption, os.DeleteOption,
                os.ManagedDisk, os.Vhd, managed, 30, vmId, db, ct),
        };
        for (var i = 0; i < dataDisks.Count; i++)
        {
            var d = dataDisks[i];
            disks.Add(await PlanAsync(sub, location, $"properties.storageProfile.dataDisks[{i}]", d.Lun!.Value, d.Name, d.DiskSizeGB, d.Caching, d.CreateOption,
                d.DeleteOption, d.ManagedDisk, d.Vhd, managed, 32, vmId, db, ct));
        }
        foreach (var d in disks.Where(d => d.RequestedName is not null || d.Attach is not null))
            ArmLookups.RequireName(d.Name, "disk");
        var names = disks.Where(d => d.RequestedName is not null || d.Attach is not null).Select(d => d.Name.ToLowerInvariant()).ToList();
        if (names.Distinct().Count() != names.Count) throw ArmException.BadRequest("Disk names must be unique within the VM.");
        var attached = disks.Where(d => d.Attach is not null).Select(d => d.Attach!.Id).ToList();
        if (attached.Distinct().Count() != attached.Count) throw ArmException.BadRequest("A managed disk can be attached to a VM once.");
        return disks;
    }

    private static async Task<PlannedDisk> PlanAsync(string sub, string location, string path, int lun, string? name, int? size, string? caching,
        string? createOption, string? deleteOption, ManagedDiskRequest? managedDisk, VhdRequest? vhd, bool managed, int defaultSize,
        long? vmId, BackupDbContext db, CancellationToken ct)
    {
        if (managed && vhd is not null)
            throw ArmException.BadRequest($"'{path}.vhd': a VM with managed disks cannot have a VHD-based disk.", "OperationNotAllowed");
        if (!managed && managedDisk is not null)
            throw ArmException.BadRequest($"'{path}.managedDisk': a VM with unmanaged (VHD) disks cannot have a managed disk.", "OperationNotAllowed");
        if (!managed && deleteOption is not null)
            throw ArmException.BadRequest($"'{path}.deleteOption' applies to managed disks only.", "InvalidParameter");
        caching = Normalise(caching, $"{path}.caching", "None", "ReadOnly", "ReadWrite");
        deleteOption = Normalise(deleteOption, $"{path}.deleteOption", "Delete", "Detach");
        createOption = Normalise(createOption, $"{path}.createOption", lun < 0 ? ["FromImage", "Attach"] : ["Empty", "Attach", "FromImage"]);
        var accountType = Normalise(managedDisk?.StorageAccountType, $"{path}.managedDisk.storageAccountType", AccountTypes) ?? "Standard_LRS";
        if (size is < 1 or > 32767) throw ArmException.BadRequest($"'{path}.diskSizeGB' is {size}; it must be 1 to 32767.");

        if (createOption != "Attach")
        {
            // A managedDisk.id on a new disk is the id this VM's own disk got (a GET sent back): checked when comparing.
            return new PlannedDisk(lun, name, size ?? defaultSize, caching, createOption, deleteOption, managed, accountType, null);
        }
        if (!managed)
        {
            // An existing VHD (e.g. restored by a restore-disks job) becomes the disk as it is, in place: Azure's unmanaged Attach.
            var uri = vhd?.Uri ?? throw ArmException.BadRequest($"'{path}.vhd.uri' is required with createOption Attach on an unmanaged VM.", "InvalidParameter");
            // One VHD, one VM: a VM's unmanaged disks are its own (deleting the VM deletes them), as a managed disk is attached once.
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsedUri) && new Azure.Storage.Blobs.BlobUriBuilder(parsedUri) is { BlobContainerName: var c, BlobName: var b }
                && await db.VirtualMachineDisks.AnyAsync(d => d.VirtualMachineId != vmId && d.BlobContainer == c && d.BlobName == b, ct))
                throw new ArmException(409, ArmErrorCodes.OperationNotAllowed, $"The VHD '{parsedUri.GetLeftPart(UriPartial.Path)}' is a disk of another VM; a VHD can be attached to one VM only.");
            return new PlannedDisk(lun, name, size ?? defaultSize, caching, createOption, deleteOption, managed, accountType, null, uri);
        }
        var id = managedDisk?.Id ?? throw ArmException.BadRequest($"'{path}.managedDisk.id' is required with createOption Attach.", "InvalidParameter");
        var parsed = ArmResourceIds.Parse(id, ArmResourceIds.DisksType)
            ?? throw ArmException.BadRequest($"'{path}.managedDisk.id' '{id}' is not a {ArmResourceIds.DisksType} resource id.", "InvalidParameter");
        if (!parsed.SubscriptionId.Equals(sub, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"'{path}.managedDisk.id': the disk must be in the VM's subscription.", "InvalidParameter");
        var key = ResourceKeys.Of(parsed.SubscriptionId, parsed.ResourceGroup, parsed.Name);
        var disk = await db.ManagedDisks.Include(d => d.Attachments).FirstOrDefaultAsync(d => d.Key == key, ct)
            ?? throw new ArmException(404, ArmErrorCodes.NotFound, $"The managed disk '{id}' was not found.");
        if (disk.Attachments.Any(a => a.VirtualMachineId != vmId))
            throw new ArmException(409, ArmErrorCodes.OperationNotAllowed, $"The disk '{disk.Name}' is attached to another VM; detach it first.");
        if (name is not null && !name.Equals(disk.Name, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"'{path}.name' '{name}' does not match the name of the managed disk '{disk.Name}' it attaches.", "InvalidParameter");
        if (!disk.Location.Equals(location.Replace(" ", ""), StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"The disk '{disk.Name}' is in '{disk.Location}'; a VM in '{location}' cannot attach it.", "InvalidParameter");
        return new PlannedDisk(lun, disk.Name, disk.DiskSizeGB, caching, createOption, deleteOption, managed, disk.SkuName, disk);
    }

    private static string? Normalise(string? value, string path, params string[] allowed) => value is null ? null
        : allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase))
          ?? throw ArmException.BadRequest($"'{path}' must be one of {string.Join(", ", allowed)}, not '{(value.Length > 40 ? value[..40] : value)}'.", "InvalidParameter");

    /// <summary>Whether a PUT asks for the disks the VM already has (a new disk's name only counts when the request gave one).</summary>
    public static bool SameAs(IReadOnlyList<PlannedDisk> planned, IReadOnlyList<VirtualMachineDisk> existing) =>
        planned.Count == existing.Count && planned.All(p => existing.Any(e => e.Lun == p.Lun && e.DiskSizeGB == p.SizeGB
            && (p.RequestedName is null || e.Name.Equals(p.RequestedName, StringComparison.OrdinalIgnoreCase))
            && (e.ManagedDiskId is not null) == p.Managed && (p.Attach is null || p.Attach.Id == e.ManagedDiskId)));
}
