using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// A NIC's IP configurations: each in a subnet of the NIC's region (else <c>InvalidResourceReference</c>), with a
/// Dynamic private address (the subnet's lowest free one, kept across PUTs) or a Static one the request names (in the
/// subnet and free: <c>PrivateIPAddressNotInSubnet</c>, <c>PrivateIPAddressInUse</c>), and at most one public IP that no
/// other NIC uses (<c>PublicIPAddressInUse</c>).
/// </summary>
public static class NicIpConfigurations
{
    public static readonly JsonShape Shape = Obj([.. NetworkRequest.ReadOnly,
        ("properties", Obj([.. NetworkRequest.ReadOnlyProperties,
            ("privateIPAddress", Str), ("privateIPAllocationMethod", OneOf("Dynamic", "Static")), ("privateIPAddressVersion", OneOf("IPv4")),
            ("subnet", Reference), ("publicIPAddress", Reference), ("primary", Bool)]))]);

    /// <summary>Sets <paramref name="nic"/>'s configurations to those of <paramref name="configs"/> (matched by name, so kept ones keep their address).</summary>
    public static async Task ApplyAsync(NetworkInterface nic, JsonArray configs, string nicId, BackupDbContext db, CancellationToken ct)
    {
        if (configs.Count == 0) throw ArmException.BadRequest("A network interface needs at least one IP configuration ('properties.ipConfigurations').", "InvalidRequestFormat");
        var names = configs.Select((c, i) => NetworkRequest.Text(c!["name"]) ?? throw ArmException.BadRequest($"'properties.ipConfigurations[{i}].name' is required.", "InvalidRequestFormat")).ToList();
        foreach (var n in names) ArmLookups.RequireName(n, "IP configuration");
        if (names.Select(n => n.ToLowerInvariant()).Distinct().Count() != names.Count)
            throw ArmException.BadRequest("IP configuration names must be unique within the network interface.", "DuplicateResourceName");
        var primaries = configs.Count(c => c!["properties"]?["primary"]?.GetValue<bool>() == true);
        if (configs.Count > 1 && primaries != 1)
            throw ArmException.BadRequest($"Network interface {nicId} must have exactly one primary IP configuration.", "NicMustHaveOnePrimaryIpConfiguration");

        foreach (var gone in nic.IpConfigurations.Where(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            nic.IpConfigurations.Remove(gone);
            db.Remove(gone);
        }
        var assigned = new List<(long Subnet, string Address)>();
        for (var i = 0; i < configs.Count; i++)
        {
            var p = configs[i]!["properties"];
            var path = $"properties.ipConfigurations[{i}].properties";
            var subnet = await NetworkRequest.FindSubnetAsync(db, nic.SubscriptionId, NetworkRequest.Text(p?["subnet"]?["id"]) ?? throw ArmException.BadRequest($"'{path}.subnet.id' is required.", "InvalidRequestFormat"),
                nic.Location, nicId, ct);
            var config = nic.IpConfigurations.FirstOrDefault(c => c.Name.Equals(names[i], StringComparison.OrdinalIgnoreCase));
            var method = NetworkRequest.Text(p?["privateIPAllocationMethod"]) is { } m && m.Equals("Static", StringComparison.OrdinalIgnoreCase) ? "Static" : "Dynamic";
            var requested = NetworkRequest.Text(p?["privateIPAddress"]);
            var address = await AddressAsync(subnet, config, method, requested, path, nic.Id, assigned, db, ct);
            assigned.Add((subnet.Id, address));
            PublicIpAddress? publicIp = null;
            if (NetworkRequest.Text(p?["publicIPAddress"]?["id"]) is { } ipId)
            {
                publicIp = await NetworkRequest.FindPublicIpAsync(db, nic.SubscriptionId, ipId, nic.Location, nicId, ct);
                var users = await db.Set<NicIpConfiguration>().Where(c => c.PublicIpAddressId == publicIp.Id && c.NetworkInterfaceId != nic.Id).AnyAsync(ct);
                if (users || nic.IpConfigurations.Any(c => c != config && c.PublicIpAddressId == publicIp.Id))
                    throw ArmException.BadRequest($"Public IP address {ipId} is already in use by another IP configuration.", "PublicIPAddressInUse");
            }
            if (config is null) nic.IpConfigurations.Add(config = new NicIpConfiguration { Name = names[i], PrivateIpAddress = address, PrivateIpAllocationMethod = method });
            config.Subnet = subnet;
            config.PrivateIpAddress = address;
            config.PrivateIpAllocationMethod = method;
            config.PublicIpAddress = publicIp;
            config.PublicIpAddressId = publicIp?.Id;
            config.Primary = configs.Count == 1 || p?["primary"]?.GetValue<bool>() == true;
        }
    }

    private static async Task<string> AddressAsync(Subnet subnet, NicIpConfiguration? config, string method, string? requested, string path, long nicId,
        List<(long Subnet, string Address)> assigned, BackupDbContext db, CancellationToken ct)
    {
        var prefix = IpAddressing.ParsePrefix(subnet.AddressPrefix)!.Value;
        var used = await db.Set<NicIpConfiguration>().Where(c => c.SubnetId == subnet.Id && c.NetworkInterfaceId != nicId).Select(c => c.PrivateIpAddress).ToListAsync(ct);
        used.AddRange(assigned.Where(a => a.Subnet == subnet.Id).Select(a => a.Address));
        if (method == "Static" || requested is not null && config?.PrivateIpAddress != requested)
        {
            if (requested is null) throw ArmException.BadRequest($"'{path}.privateIPAddress' is required with privateIPAllocationMethod Static.", "InvalidRequestFormat");
            if (IpAddressing.ParseAddress(requested) is not { } a || !IpAddressing.Usable(prefix, a))
                throw ArmException.BadRequest($"Private static IP address {requested} does not belong to the range of subnet prefix {subnet.AddressPrefix} (or is one Azure reserves).",
                    "PrivateIPAddressNotInSubnet");
            if (used.Contains(requested)) throw ArmException.BadRequest($"IP configuration uses the private IP address {requested}, which is already in use.", "PrivateIPAddressInUse");
            return requested;
        }
        if (config is not null && config.SubnetId == subnet.Id && !used.Contains(config.PrivateIpAddress)) return config.PrivateIpAddress;
        return IpAddressing.FirstFree(prefix, used)
            ?? throw ArmException.BadRequest($"Subnet {subnet.Name} with address prefix {subnet.AddressPrefix} does not have enough capacity for 1 IP address.", "SubnetIsFull");
    }
}
