using System.Net;
using System.Security.Cryptography;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// IPv4 prefixes as Azure's virtual networks use them: a subnet lies inside its VNet's address space and overlaps no
/// sibling; a NIC's Dynamic private address is the lowest free one after the four Azure reserves at the start of the
/// subnet (the last, broadcast, is reserved too). Public addresses come from 20.0.0.0/8, which no VNet here reaches.
/// </summary>
public static class IpAddressing
{
    public readonly record struct Prefix(uint Network, int Length)
    {
        public uint Size => 1u << (32 - Length);
        public uint Last => Network + (Size - 1);
        public bool Contains(uint address) => address >= Network && address <= Last;
        public bool Contains(Prefix other) => Contains(other.Network) && Contains(other.Last);
        public bool Overlaps(Prefix other) => Network <= other.Last && other.Network <= Last;
    }

    /// <summary>Parses "10.0.0.0/24" (the network address exactly, as Azure requires); null when it is not one.</summary>
    public static Prefix? ParsePrefix(string? cidr)
    {
        var parts = cidr?.Split('/');
        if (parts is not { Length: 2 } || !int.TryParse(parts[1], out var length) || length is < 8 or > 29) return null;
        if (ParseAddress(parts[0]) is not { } address) return null;
        var mask = uint.MaxValue << (32 - length);
        return (address & mask) == address ? new Prefix(address, length) : null;
    }

    public static uint? ParseAddress(string? text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text!.Count(c => c == '.') == 3
            ? (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(ip.GetAddressBytes())) : null;

    public static string Format(uint address) => $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";

    public static Prefix RequirePrefix(string? cidr, string path) => ParsePrefix(cidr)
        ?? throw ArmException.BadRequest($"'{path}' '{cidr}' is not an IPv4 prefix (a network address with a length from /8 to /29, e.g. 10.0.0.0/24).",
            "InvalidAddressPrefixFormat");

    /// <summary>Whether <paramref name="address"/> is usable in <paramref name="subnet"/> (not one of the five Azure reserves).</summary>
    public static bool Usable(Prefix subnet, uint address) => address >= subnet.Network + 4 && address < subnet.Last && subnet.Contains(address);

    /// <summary>The lowest usable address of the subnet not in <paramref name="used"/>; null when the subnet is full.</summary>
    public static string? FirstFree(Prefix subnet, IEnumerable<string> used)
    {
        var taken = used.Select(ParseAddress).OfType<uint>().ToHashSet();
        for (var a = subnet.Network + 4; a < subnet.Last; a++)
            if (!taken.Contains(a)) return Format(a);
        return null;
    }

    /// <summary>A random public address in 20.0.0.0/8 (not .0 or .255); uniqueness is the database's index.</summary>
    public static string NewPublicAddress()
    {
        var bytes = RandomNumberGenerator.GetBytes(3);
        return $"20.{bytes[0]}.{bytes[1]}.{1 + bytes[2] % 254}";
    }
}
