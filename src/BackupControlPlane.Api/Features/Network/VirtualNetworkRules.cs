using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>The shapes of VNet and subnet bodies and Azure's rules on their prefixes.</summary>
public static class VirtualNetworkRules
{
    public static readonly JsonShape SubnetProperties = Obj([.. NetworkRequest.ReadOnlyProperties,
        ("addressPrefix", Str), ("ipConfigurations", Any), ("privateEndpointNetworkPolicies", OneOf("Disabled")),
        ("privateLinkServiceNetworkPolicies", OneOf("Enabled")), ("serviceEndpoints", ArrayOf(Any, max: 0)), ("delegations", ArrayOf(Any, max: 0))]);

    public static readonly JsonShape Subnet = Obj([.. NetworkRequest.ReadOnly, ("properties", SubnetProperties)]);

    public static readonly JsonShape VirtualNetwork = Obj([.. NetworkRequest.ReadOnly,
        ("location", Str), ("tags", Tags),
        ("properties", Obj([.. NetworkRequest.ReadOnlyProperties,
            ("addressSpace", Obj(("addressPrefixes", ArrayOf(Str)))), ("subnets", ArrayOf(Subnet)),
            ("enableDdosProtection", False), ("enableVmProtection", False), ("dhcpOptions", Obj(("dnsServers", ArrayOf(Str, max: 0)))),
            ("virtualNetworkPeerings", ArrayOf(Any, max: 0))]))]);

    /// <summary>The VNet's address prefixes, parsed, non-overlapping, at least one.</summary>
    public static List<IpAddressing.Prefix> AddressSpace(JsonObject body)
    {
        var texts = (body["properties"]?["addressSpace"]?["addressPrefixes"] as JsonArray)?.Select(p => p!.GetValue<string>()).ToList() ?? [];
        if (texts.Count == 0) throw ArmException.BadRequest("'properties.addressSpace.addressPrefixes' must name at least one prefix.", "InvalidRequestFormat");
        var prefixes = texts.Select((t, i) => IpAddressing.RequirePrefix(t, $"properties.addressSpace.addressPrefixes[{i}]")).ToList();
        for (var i = 0; i < prefixes.Count; i++)
            for (var j = i + 1; j < prefixes.Count; j++)
                if (prefixes[i].Overlaps(prefixes[j]))
                    throw ArmException.BadRequest($"The address prefixes {texts[i]} and {texts[j]} of the virtual network overlap.", "VnetAddressSpacesOverlap");
        return prefixes;
    }

    /// <summary>A subnet's prefix: inside the VNet's address space, overlapping none of <paramref name="siblings"/>.</summary>
    public static string SubnetPrefix(string vnetName, string subnetName, string? text, string path, IReadOnlyList<IpAddressing.Prefix> space,
        IEnumerable<(string Name, string Prefix)> siblings)
    {
        var prefix = IpAddressing.RequirePrefix(text, path);
        if (!space.Any(s => s.Contains(prefix)))
            throw ArmException.BadRequest(
                $"Subnet '{subnetName}' is not valid because its IP address range is outside the IP address range of virtual network '{vnetName}'.",
                "NetcfgSubnetRangeOutsideVnet");
        foreach (var (name, other) in siblings)
            if (!name.Equals(subnetName, StringComparison.OrdinalIgnoreCase) && IpAddressing.ParsePrefix(other) is { } o && o.Overlaps(prefix))
                throw ArmException.BadRequest($"Subnet '{subnetName}' is not valid because its IP address range overlaps with that of an existing subnet '{name}' in virtual network '{vnetName}'.",
                    "NetcfgSubnetRangesOverlap");
        return text!;
    }

    public static IReadOnlyList<IpAddressing.Prefix> SpaceOf(VirtualNetwork vnet) =>
        System.Text.Json.JsonSerializer.Deserialize<List<string>>(vnet.AddressPrefixesJson)!.Select(p => IpAddressing.ParsePrefix(p)!.Value).ToList();
}
