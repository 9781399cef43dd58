using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>The ARM view of the network rows, and the queries that load what a view names (subnets' users, NICs' VMs).</summary>
public static class NetworkMapper
{
    public const string SubnetsType = "Microsoft.Network/virtualNetworks/subnets";
    public const string IpConfigurationsType = "Microsoft.Network/networkInterfaces/ipConfigurations";

    /// <summary>NICs with everything their view names: IP configurations, subnets with their VNet, public IPs and the VM.</summary>
    public static IQueryable<NetworkInterface> Nics(BackupDbContext db) => db.NetworkInterfaces
        .Include(n => n.VirtualMachine)
        .Include(n => n.IpConfigurations).ThenInclude(c => c.Subnet).ThenInclude(s => s!.VirtualNetwork)
        .Include(n => n.IpConfigurations).ThenInclude(c => c.PublicIpAddress);

    public static IQueryable<VirtualNetwork> Vnets(BackupDbContext db) => db.VirtualNetworks.Include(v => v.Subnets);

    /// <summary>The ids of the NIC IP configurations in each of <paramref name="subnets"/>.</summary>
    public static async Task<ILookup<long, string>> IpConfigurationsBySubnetAsync(BackupDbContext db, IReadOnlyCollection<long> subnets, CancellationToken ct) =>
        (await db.Set<NicIpConfiguration>().AsNoTracking().Where(c => subnets.Contains(c.SubnetId))
            .Join(db.NetworkInterfaces, c => c.NetworkInterfaceId, n => n.Id, (c, n) => new { c.SubnetId, c.Name, n.SubscriptionId, n.ResourceGroup, Nic = n.Name })
            .ToListAsync(ct))
        .ToLookup(c => c.SubnetId, c => IpConfigurationId(ArmResourceIds.NetworkInterface(c.SubscriptionId, c.ResourceGroup, c.Nic), c.Name));

    /// <summary>The id of the NIC IP configuration using each of <paramref name="addresses"/>.</summary>
    public static async Task<Dictionary<long, string>> IpConfigurationsByPublicIpAsync(BackupDbContext db, IReadOnlyCollection<long> addresses, CancellationToken ct) =>
        (await db.Set<NicIpConfiguration>().AsNoTracking().Where(c => c.PublicIpAddressId != null && addresses.Contains(c.PublicIpAddressId.Value))
            .Join(db.NetworkInterfaces, c => c.NetworkInterfaceId, n => n.Id, (c, n) => new { Ip = c.PublicIpAddressId!.Value, c.Name, n.SubscriptionId, n.ResourceGroup, Nic = n.Name })
            .ToListAsync(ct))
        .ToDictionary(c => c.Ip, c => IpConfigurationId(ArmResourceIds.NetworkInterface(c.SubscriptionId, c.ResourceGroup, c.Nic), c.Name));

    public static string IpConfigurationId(string nicId, string name) => $"{nicId}/ipConfigurations/{name}";

    private static string Etag(Guid guid) => $"W/\"{guid}\"";

    private static Dictionary<string, string>? Tags(string? json) => json is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);

    public static VirtualNetworkResource ToResource(VirtualNetwork v, ILookup<long, string> users) => new(
        ArmResourceIds.VirtualNetwork(v.SubscriptionId, v.ResourceGroup, v.Name), v.Name, ArmResourceIds.VirtualNetworksType, v.Location, Tags(v.TagsJson),
        Etag(v.ResourceGuid),
        new VirtualNetworkProperties("Succeeded", v.ResourceGuid.ToString(), new AddressSpace(JsonSerializer.Deserialize<List<string>>(v.AddressPrefixesJson)!),
            v.Subnets.OrderBy(s => s.Id).Select(s => ToResource(v, s, users[s.Id])).ToList(), [], false));

    public static SubnetResource ToResource(VirtualNetwork v, Subnet s, IEnumerable<string> users)
    {
        var ids = users.Select(u => new SubResource(u)).ToList();
        return new SubnetResource(ArmResourceIds.Subnet(v.SubscriptionId, v.ResourceGroup, v.Name, s.Name), s.Name, SubnetsType, Etag(v.ResourceGuid),
            new SubnetProperties("Succeeded", s.AddressPrefix, ids.Count == 0 ? null : ids, "Disabled", "Enabled"));
    }

    public static NetworkInterfaceResource ToResource(NetworkInterface n)
    {
        var id = ArmResourceIds.NetworkInterface(n.SubscriptionId, n.ResourceGroup, n.Name);
        var vm = n.VirtualMachine is { } m ? new SubResource(ArmIds.VirtualMachine(m.SubscriptionId, m.ResourceGroup, m.Name)) : null;
        return new NetworkInterfaceResource(id, n.Name, ArmResourceIds.NetworkInterfacesType, n.Location, Tags(n.TagsJson), Etag(n.ResourceGuid),
            new NetworkInterfaceProperties("Succeeded", n.ResourceGuid.ToString(),
                n.IpConfigurations.OrderBy(c => c.Id).Select(c => new IpConfigurationResource(IpConfigurationId(id, c.Name), c.Name, IpConfigurationsType, Etag(n.ResourceGuid),
                    new IpConfigurationProperties("Succeeded", c.PrivateIpAddress, c.PrivateIpAllocationMethod, "IPv4",
                        new SubResource(ArmResourceIds.Subnet(c.Subnet!.VirtualNetwork!.SubscriptionId, c.Subnet.VirtualNetwork.ResourceGroup, c.Subnet.VirtualNetwork.Name, c.Subnet.Name)),
                        c.PublicIpAddress is { } ip ? new SubResource(ArmResourceIds.PublicIpAddress(ip.SubscriptionId, ip.ResourceGroup, ip.Name)) : null,
                        c.Primary))).ToList(),
                new DnsSettings([], []), n.MacAddress, n.EnableAcceleratedNetworking, false, vm is null ? null : true, vm, "Standard"));
    }

    public static PublicIpResource ToResource(PublicIpAddress p, string? ipConfiguration) => new(
        ArmResourceIds.PublicIpAddress(p.SubscriptionId, p.ResourceGroup, p.Name), p.Name, ArmResourceIds.PublicIpAddressesType, p.Location, Tags(p.TagsJson),
        Etag(p.ResourceGuid), p.ZonesJson is null ? null : JsonSerializer.Deserialize<List<string>>(p.ZonesJson),
        new PublicIpSku(p.SkuName, "Regional"),
        new PublicIpProperties("Succeeded", p.ResourceGuid.ToString(), p.IpAddress, "IPv4", p.AllocationMethod, p.IdleTimeoutInMinutes, [],
            p.DomainNameLabel is { } label ? new PublicIpDnsSettings(label, $"{label}.{p.Location}.cloudapp.azure.com") : null,
            ipConfiguration is null ? null : new SubResource(ipConfiguration)));
}
