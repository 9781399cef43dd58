using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// Deleting network resources with Azure's refusals: a NIC attached to a VM (<c>NicInUse</c>), a public IP a NIC uses
/// (<c>PublicIPAddressInUse</c>), a subnet or VNet with NICs in it (<c>InUseSubnetCannotBeDeleted</c>). A resource-group
/// deletion calls <see cref="DeleteAllInGroupAsync"/> after the VMs: NICs, then public IPs, then VNets.
/// </summary>
public sealed class NetworkDeletion(BackupDbContext db)
{
    public async Task<bool> DeleteNicAsync(string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        var nic = await db.NetworkInterfaces.Include(n => n.VirtualMachine).FirstOrDefaultAsync(n => n.Key == key, ct);
        if (nic is null) return false;
        if (nic.VirtualMachine is { } vm)
            throw ArmException.BadRequest(
                $"Network Interface {ArmResourceIds.NetworkInterface(sub, rg, nic.Name)} is used by existing resource {ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name)}. In order to delete the network interface, it must be dissociated from the resource.",
                "NicInUse");
        db.NetworkInterfaces.Remove(nic);
        await NetworkSave.SaveAsync(db, $"network interface '{name}'", ct);
        return true;
    }

    public async Task<bool> DeletePublicIpAsync(string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        var ip = await db.PublicIpAddresses.FirstOrDefaultAsync(p => p.Key == key, ct);
        if (ip is null) return false;
        if ((await NetworkMapper.IpConfigurationsByPublicIpAsync(db, [ip.Id], ct)).GetValueOrDefault(ip.Id) is { } user)
            throw ArmException.BadRequest(
                $"Public IP address {ArmResourceIds.PublicIpAddress(sub, rg, ip.Name)} can not be deleted since it is still allocated to resource {user}.",
                "PublicIPAddressCannotBeDeleted");
        db.PublicIpAddresses.Remove(ip);
        await NetworkSave.SaveAsync(db, $"public IP address '{name}'", ct);
        return true;
    }

    public async Task<bool> DeleteVnetAsync(string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        var vnet = await db.VirtualNetworks.Include(v => v.Subnets).FirstOrDefaultAsync(v => v.Key == key, ct);
        if (vnet is null) return false;
        foreach (var subnet in vnet.Subnets) await RefuseInUseAsync(vnet, subnet, ct);
        db.VirtualNetworks.Remove(vnet);
        await NetworkSave.SaveAsync(db, $"virtual network '{name}'", ct);
        return true;
    }

    public async Task<bool> DeleteSubnetAsync(string sub, string rg, string vnetName, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, vnetName);
        var vnet = await db.VirtualNetworks.Include(v => v.Subnets).FirstOrDefaultAsync(v => v.Key == key, ct)
            ?? throw NetworkRequest.NotFound(ArmResourceIds.VirtualNetworksType, rg, vnetName);
        var subnet = vnet.Subnets.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (subnet is null) return false;
        await RefuseInUseAsync(vnet, subnet, ct);
        db.Subnets.Remove(subnet);
        await NetworkSave.SaveAsync(db, $"subnet '{name}'", ct);
        return true;
    }

    /// <summary>Azure's refusal to delete (or change the prefix of) a subnet NICs are in.</summary>
    public async Task RefuseInUseAsync(VirtualNetwork vnet, Subnet subnet, CancellationToken ct, string code = "InUseSubnetCannotBeDeleted")
    {
        if (subnet.Id == 0) return;
        var users = (await NetworkMapper.IpConfigurationsBySubnetAsync(db, [subnet.Id], ct))[subnet.Id].ToList();
        if (users.Count > 0)
            throw ArmException.BadRequest(
                $"Subnet {subnet.Name} is in use by {users[0]} and cannot be {(code == "InUseSubnetCannotBeDeleted" ? "deleted" : "updated")}. In order to {(code == "InUseSubnetCannotBeDeleted" ? "delete" : "update")} the subnet, delete all the resources within the subnet.",
                code);
    }

    /// <summary>Every NIC, public IP and VNet of the group (call after its VMs are gone: an attached NIC is still refused).</summary>
    public async Task<int> DeleteAllInGroupAsync(string sub, string rg, CancellationToken ct)
    {
        var prefix = ResourceKeys.Of(sub, rg, "");
        var count = 0;
        foreach (var nic in await db.NetworkInterfaces.Where(n => n.Key.StartsWith(prefix)).Select(n => n.Name).ToListAsync(ct))
            count += await DeleteNicAsync(sub, rg, nic, ct) ? 1 : 0;
        foreach (var ip in await db.PublicIpAddresses.Where(p => p.Key.StartsWith(prefix)).Select(p => p.Name).ToListAsync(ct))
            count += await DeletePublicIpAsync(sub, rg, ip, ct) ? 1 : 0;
        foreach (var vnet in await db.VirtualNetworks.Where(v => v.Key.StartsWith(prefix)).Select(v => v.Name).ToListAsync(ct))
            count += await DeleteVnetAsync(sub, rg, vnet, ct) ? 1 : 0;
        return count;
    }
}
