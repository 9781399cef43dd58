using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>Virtual networks, NICs and public IPs as Microsoft.Resources lists and deletes them with their resource group.</summary>
public sealed class NetworkGroupResources(BackupDbContext db) : IGroupResources
{
    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vnets = await db.VirtualNetworks.AsNoTracking().Where(v => v.Key.StartsWith(prefix))
            .Select(v => new { v.SubscriptionId, v.ResourceGroup, v.Name, v.Location, v.TagsJson, v.CreatedAt }).ToListAsync(ct);
        var nics = await db.NetworkInterfaces.AsNoTracking().Where(n => n.Key.StartsWith(prefix))
            .Select(n => new { n.SubscriptionId, n.ResourceGroup, n.Name, n.Location, n.TagsJson, n.CreatedAt }).ToListAsync(ct);
        var ips = await db.PublicIpAddresses.AsNoTracking().Where(p => p.Key.StartsWith(prefix))
            .Select(p => new { p.SubscriptionId, p.ResourceGroup, p.Name, p.Location, p.TagsJson, p.SkuName, p.CreatedAt }).ToListAsync(ct);
        return [
            .. vnets.Select(v => new GenericResource(ArmResourceIds.VirtualNetwork(v.SubscriptionId, v.ResourceGroup, v.Name), v.Name,
                ArmResourceIds.VirtualNetworksType, v.Location, GenericResource.TagsOf(v.TagsJson), CreatedTime: v.CreatedAt)),
            .. nics.Select(n => new GenericResource(ArmResourceIds.NetworkInterface(n.SubscriptionId, n.ResourceGroup, n.Name), n.Name,
                ArmResourceIds.NetworkInterfacesType, n.Location, GenericResource.TagsOf(n.TagsJson), CreatedTime: n.CreatedAt)),
            .. ips.Select(p => new GenericResource(ArmResourceIds.PublicIpAddress(p.SubscriptionId, p.ResourceGroup, p.Name), p.Name,
                ArmResourceIds.PublicIpAddressesType, p.Location, GenericResource.TagsOf(p.TagsJson), Sku: new GenericSku(p.SkuName), CreatedTime: p.CreatedAt)),
        ];
    }

    /// <summary>
    /// What another group still uses refuses, with the code each resource's own DELETE gives: a NIC attached to a VM
    /// elsewhere, a subnet or public IP held by a NIC elsewhere.
    /// </summary>
    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var nic = await db.NetworkInterfaces.AsNoTracking().Where(n => n.Key.StartsWith(prefix) && n.VirtualMachine != null && !n.VirtualMachine.Key.StartsWith(prefix))
            .Select(n => new { n.Name, Vm = n.VirtualMachine!.Name }).FirstOrDefaultAsync(ct);
        if (nic is not null)
            return new ArmErrorBody("NicInUse", $"Network interface {nic.Name} is used by virtual machine {nic.Vm} in another resource group.",
                ArmResourceIds.NetworkInterface(subscriptionId, resourceGroup, nic.Name));
        var foreign = from n in db.NetworkInterfaces.AsNoTracking()
                      where !n.Key.StartsWith(prefix)
                      from c in n.IpConfigurations
                      select new { Nic = n.Name, c.Subnet, c.PublicIpAddress };
        var subnet = await foreign.Where(x => x.Subnet!.VirtualNetwork!.Key.StartsWith(prefix))
            .Select(x => new { x.Nic, Vnet = x.Subnet!.VirtualNetwork!.Name, x.Subnet.Name }).FirstOrDefaultAsync(ct);
        if (subnet is not null)
            return new ArmErrorBody("InUseSubnetCannotBeDeleted", $"Subnet {subnet.Name} of virtual network {subnet.Vnet} is in use by network interface {subnet.Nic} in another resource group.",
                ArmResourceIds.Subnet(subscriptionId, resourceGroup, subnet.Vnet, subnet.Name));
        var ip = await foreign.Where(x => x.PublicIpAddress != null && x.PublicIpAddress.Key.StartsWith(prefix))
            .Select(x => new { x.Nic, x.PublicIpAddress!.Name }).FirstOrDefaultAsync(ct);
        return ip is null ? null : new ArmErrorBody("PublicIPAddressCannotBeDeleted",
            $"Public IP address {ip.Name} is in use by network interface {ip.Nic} in another resource group.",
            ArmResourceIds.PublicIpAddress(subscriptionId, resourceGroup, ip.Name));
    }

    /// <summary>
    /// NICs with their IP configurations, public IPs and virtual networks with their subnets, all loaded so the single
    /// commit deletes them in dependency order. Nothing outside the database to clean up.
    /// </summary>
    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        db.NetworkInterfaces.RemoveRange(await db.NetworkInterfaces.Include(n => n.IpConfigurations).Where(n => n.Key.StartsWith(prefix)).ToListAsync(ct));
        db.PublicIpAddresses.RemoveRange(await db.PublicIpAddresses.Where(p => p.Key.StartsWith(prefix)).ToListAsync(ct));
        db.VirtualNetworks.RemoveRange(await db.VirtualNetworks.Include(v => v.Subnets).Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct));
        return null;
    }
}
