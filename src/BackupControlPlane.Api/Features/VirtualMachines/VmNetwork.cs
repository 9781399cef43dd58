using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>
/// The NICs of a VM's networkProfile: each must exist (Azure's <c>NotFound</c>), be free or already this VM's
/// (<c>NicInUse</c>), and exactly one is primary when there are several. Attaching sets the NIC's virtualMachine.
/// </summary>
public static class VmNetwork
{
    public static async Task<List<NetworkInterface>> ResolveAsync(string sub, VmSpec spec, long? vmId, BackupDbContext db, CancellationToken ct)
    {
        var refs = spec.NetworkInterfaces();
        var nics = new List<NetworkInterface>();
        foreach (var (id, _, _) in refs)
        {
            var parsed = ArmResourceIds.Parse(id, ArmResourceIds.NetworkInterfacesType);
            if (parsed is null || !parsed.SubscriptionId.Equals(sub, StringComparison.OrdinalIgnoreCase))
                throw ArmException.BadRequest($"'{id}' in properties.networkProfile.networkInterfaces is not a {ArmResourceIds.NetworkInterfacesType} id in subscription '{sub}'.",
                    "InvalidParameter");
            var key = ResourceKeys.Of(parsed.SubscriptionId, parsed.ResourceGroup, parsed.Name);
            var nic = await db.NetworkInterfaces.FirstOrDefaultAsync(n => n.Key == key, ct)
                ?? throw new ArmException(404, ArmErrorCodes.NotFound, $"Resource {id} not found.");
            if (nic.VirtualMachineId is { } other && other != vmId)
                throw new ArmException(409, "NicInUse", $"Network interface {id} is used by another virtual machine; detach it first.");
            if (nics.Contains(nic)) throw ArmException.BadRequest($"The network interface '{id}' is listed twice.", "InvalidParameter");
            nics.Add(nic);
        }
        if (refs.Count > 1 && refs.Count(r => r.Primary) != 1)
            throw ArmException.BadRequest("Virtual machine must have exactly one network interface marked as primary when it has more than one.",
                "VirtualMachineMustHaveOneNetworkInterfaceAsPrimary");
        return nics;
    }

    /// <summary>Attaches <paramref name="nics"/> to <paramref name="vm"/> and detaches the ones it no longer lists (saved by the caller).</summary>
    public static async Task AttachAsync(VirtualMachine vm, List<NetworkInterface> nics, BackupDbContext db, CancellationToken ct)
    {
        if (vm.Id != 0)
            foreach (var old in await db.NetworkInterfaces.Where(n => n.VirtualMachineId == vm.Id).ToListAsync(ct))
                if (!nics.Contains(old)) old.VirtualMachineId = null;
        foreach (var nic in nics) nic.VirtualMachine = vm;
    }

    /// <summary>On VM delete: NICs whose deleteOption is Delete go with it (and their IP configurations); the others are detached.</summary>
    public static async Task ReleaseAsync(VirtualMachine vm, BackupDbContext db, CancellationToken ct)
    {
        var deleted = VmSpec.Parse(vm.SpecJson).NetworkInterfaces().Where(n => n.DeleteOption.Equals("Delete", StringComparison.OrdinalIgnoreCase))
            .Select(n => ArmResourceIds.Parse(n.Id, ArmResourceIds.NetworkInterfacesType)).OfType<ArmResourceIds.Parsed>()
            .Select(p => ResourceKeys.Of(p.SubscriptionId, p.ResourceGroup, p.Name)).ToList();
        foreach (var nic in await db.NetworkInterfaces.Where(n => n.VirtualMachineId == vm.Id).ToListAsync(ct))
        {
            nic.VirtualMachineId = null;
            if (deleted.Contains(nic.Key)) db.NetworkInterfaces.Remove(nic);
        }
    }
}
