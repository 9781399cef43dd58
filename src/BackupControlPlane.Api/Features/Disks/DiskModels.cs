using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BackupControlPlane.Api.Features.Disks;

// Microsoft.Compute/disks as Azure answers them, reduced to what an emulated disk (a page blob) has.

public sealed record DiskRequest(string? Location, DiskSku? Sku, Dictionary<string, string>? Tags, JsonNode? Zones, DiskRequestProperties? Properties)
{
    /// <summary>Members the emulator does not keep; refused by name (read-only ones a GET returned are ignored).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record DiskRequestProperties(CreationDataRequest? CreationData, int? DiskSizeGB, string? OsType)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record CreationDataRequest(string? CreateOption)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record DiskSku(string Name, string? Tier = null);

public sealed record DiskResource(string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags, JsonNode? Zones,
    string? ManagedBy, DiskSku Sku, DiskProperties Properties);

public sealed record DiskProperties(string? OsType, CreationData CreationData, int DiskSizeGB, long DiskSizeBytes, string UniqueId,
    string ProvisioningState, string DiskState, DateTimeOffset TimeCreated, DiskEncryption Encryption, string NetworkAccessPolicy,
    string PublicNetworkAccess);

public sealed record CreationData(string CreateOption, ImageDiskReference? ImageReference);

public sealed record ImageDiskReference(string Id);

public sealed record DiskEncryption(string Type);
