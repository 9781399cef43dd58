namespace BackupControlPlane.Api.Arm;

/// <summary>
/// Ids of the Microsoft.Compute disks and Microsoft.Network resources, spelled as Azure spells them, and the parsing of
/// an id a request refers to (a VM's NIC, a NIC's subnet or public IP, a data disk's managedDisk.id).
/// </summary>
public static class ArmResourceIds
{
    public const string DisksType = "Microsoft.Compute/disks";
    public const string VirtualNetworksType = "Microsoft.Network/virtualNetworks";
    public const string NetworkInterfacesType = "Microsoft.Network/networkInterfaces";
    public const string PublicIpAddressesType = "Microsoft.Network/publicIPAddresses";

    public static string Disk(string sub, string rg, string name) => $"{ArmIds.ResourceGroup(sub, rg)}/providers/{DisksType}/{name}";

    public static string VirtualNetwork(string sub, string rg, string name) => $"{ArmIds.ResourceGroup(sub, rg)}/providers/{VirtualNetworksType}/{name}";

    public static string Subnet(string sub, string rg, string vnet, string name) => $"{VirtualNetwork(sub, rg, vnet)}/subnets/{name}";

    public static string NetworkInterface(string sub, string rg, string name) => $"{ArmIds.ResourceGroup(sub, rg)}/providers/{NetworkInterfacesType}/{name}";

    public static string PublicIpAddress(string sub, string rg, string name) => $"{ArmIds.ResourceGroup(sub, rg)}/providers/{PublicIpAddressesType}/{name}";

    /// <summary>The parts of a resource id; <see cref="Child"/> is the name under <paramref name="childType"/> (a subnet of a VNet).</summary>
    public sealed record Parsed(string SubscriptionId, string ResourceGroup, string Name, string? Child);

    /// <summary>
    /// Parses <c>/subscriptions/{s}/resourceGroups/{rg}/providers/{type}/{name}[/{childType}/{child}]</c>; the type and
    /// segment names compare case-insensitively, as ARM does. Null when the id is not of that type.
    /// </summary>
    public static Parsed? Parse(string? id, string type, string? childType = null)
    {
        if (string.IsNullOrEmpty(id)) return null;
        var parts = id.Trim('/').Split('/');
        var typeParts = type.Split('/');
        // subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}: eight segments, two more for a child.
        if (parts.Length != 8 + (childType is null ? 0 : 2)) return null;
        bool Is(int i, string s) => parts[i].Equals(s, StringComparison.OrdinalIgnoreCase);
        if (!Is(0, "subscriptions") || !Is(2, "resourceGroups") || !Is(4, "providers")) return null;
        if (!Is(5, typeParts[0]) || !Is(6, typeParts[1])) return null;
        if (childType is not null && !Is(8, childType)) return null;
        if (parts.Any(p => p.Length == 0)) return null;
        return new Parsed(parts[1], parts[3], parts[7], childType is null ? null : parts[9]);
    }
}
