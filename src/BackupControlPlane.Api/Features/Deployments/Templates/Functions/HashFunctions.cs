using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// uniqueString() and guid() as ARM computes them, so names derived from them match Azure's: the arguments joined with
/// '-' are hashed (uniqueString: Microsoft's 64-bit Murmur variant, printed as 13 base-32 characters; guid: a name-based
/// SHA-1 GUID, RFC 4122 version 5, in ARM's namespace). newGuid() is random and only allowed in parameter defaults.
/// </summary>
public static class HashFunctions
{
    private static readonly Guid ArmGuidNamespace = new("11fb06fb-712d-4ddd-98c7-e71bbd588830");

    internal static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("uniqueString", 1, Many, c => V.Of(UniqueString(Joined(c)))),
        F("guid", 1, Many, c => V.Of(NameBasedGuid(ArmGuidNamespace, Joined(c)).ToString())),
        F("newGuid", 0, 0, c => DeploymentFunctions.OnlyInParameterDefault(c, () => V.Of(Guid.NewGuid().ToString()))),
    ];

    private static string Joined(FunctionCall c) => string.Join("-", Enumerable.Range(0, c.Count).Select(c.String));

    public static string UniqueString(string value)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var hash = MurmurHash64(Encoding.UTF8.GetBytes(value));
        var result = new StringBuilder(13);
        for (var i = 0; i < 13; i++)
        {
            result.Append(alphabet[(int)(hash >> 59)]);
            hash <<= 5;
        }
        return result.ToString();
    }

    /// <summary>RFC 4122 §4.3 name-based GUID (SHA-1, version 5) of UTF-8 <paramref name="name"/>.</summary>
    public static Guid NameBasedGuid(Guid ns, string name)
    {
        var nsBytes = ns.ToByteArray(bigEndian: true);
        var hash = SHA1.HashData([.. nsBytes, .. Encoding.UTF8.GetBytes(name)]);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The 64-bit Murmur variant ARM's uniqueString uses (two 32-bit lanes, seed 0).</summary>
    public static ulong MurmurHash64(byte[] data, uint seed = 0)
    {
        const uint c1 = 0x239b961b, c2 = 0xab0e9789, c3 = 0x561ccd1b, c4 = 0x0bcaa747, c5 = 0x85ebca6b, c6 = 0xc2b2ae35;
        var length = data.Length;
        uint h1 = seed, h2 = seed;
        var index = 0;
        unchecked
        {
            for (; index + 7 < length; index += 8)
            {
                var k1 = BitConverter.ToUInt32(data, index);
                var k2 = BitConverter.ToUInt32(data, index + 4);
                h1 ^= uint.RotateLeft(k1 * c1, 15) * c2;
                h1 = (uint.RotateLeft(h1, 19) + h2) * 5 + c3;
                h2 ^= uint.RotateLeft(k2 * c2, 17) * c1;
                h2 = (uint.RotateLeft(h2, 13) + h1) * 5 + c4;
            }
            var tail = length - index;
            if (tail > 0)
            {
                h1 ^= uint.RotateLeft(LittleEndian(data, index, Math.Min(tail, 4)) * c1, 15) * c2;
                if (tail > 4) h2 ^= uint.RotateLeft(LittleEndian(data, index + 4, tail - 4) * c2, 17) * c1;
            }
            h1 ^= (uint)length;
            h2 ^= (uint)length;
            h1 += h2;
            h2 += h1;
            h1 = Mix(h1, c5, c6);
            h2 = Mix(h2, c5, c6);
            h1 += h2;
            h2 += h1;
        }
        return ((ulong)h2 << 32) | h1;
    }

    private static uint LittleEndian(byte[] data, int index, int count)
    {
        uint value = 0;
        for (var i = 0; i < count; i++) value |= (uint)data[index + i] << (8 * i);
        return value;
    }

    private static uint Mix(uint h, uint c5, uint c6)
    {
        unchecked
        {
            h ^= h >> 16;
            h *= c5;
            h ^= h >> 13;
            h *= c6;
            h ^= h >> 16;
            return h;
        }
    }
}
