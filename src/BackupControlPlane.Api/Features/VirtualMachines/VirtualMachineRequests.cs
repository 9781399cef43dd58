using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BackupControlPlane.Api.Features.VirtualMachines;

// The body of a VM PUT. Every level collects the members it does not model in Other, and VmRequestCheck refuses them
// by name (400): nothing a client sends is silently dropped. Profiles the emulator keeps without acting on them are
// JSON objects, checked in VmSpec.

public sealed record VirtualMachineRequest(
    string? Location, VirtualMachineRequestProperties? Properties, Dictionary<string, string>? Tags,
    JsonNode? Zones, JsonNode? Identity, JsonNode? Plan)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record VirtualMachineRequestProperties(
    HardwareProfileRequest? HardwareProfile, StorageProfileRequest? StorageProfile, JsonNode? OsProfile, JsonNode? NetworkProfile,
    JsonNode? SecurityProfile, JsonNode? DiagnosticsProfile, JsonNode? AdditionalCapabilities, JsonNode? BillingProfile,
    JsonNode? LicenseType, JsonNode? Priority, JsonNode? EvictionPolicy)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record HardwareProfileRequest(string? VmSize)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record StorageProfileRequest(JsonNode? ImageReference, OsDiskRequest? OsDisk, List<DataDiskRequest>? DataDisks)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record OsDiskRequest(
    string? OsType, string? Name, int? DiskSizeGB, string? Caching, string? CreateOption, string? DeleteOption,
    ManagedDiskRequest? ManagedDisk, VhdRequest? Vhd)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record DataDiskRequest(
    int? Lun, string? Name, int? DiskSizeGB, string? Caching, string? CreateOption, string? DeleteOption,
    ManagedDiskRequest? ManagedDisk, VhdRequest? Vhd)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ManagedDiskRequest(string? Id, string? StorageAccountType)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record VhdRequest(string? Uri)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}
