using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.VirtualMachines;

// Response shapes of Microsoft.Compute virtual machines. Disks are page blobs in blob storage: unmanaged ones show
// their vhd.uri, managed ones their managedDisk.id (a Microsoft.Compute/disks resource, Features/Disks).

public sealed record VirtualMachineResource(
    string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags,
    VirtualMachineProperties Properties, IReadOnlyList<ExtensionResource> Resources,
    JsonNode? Zones = null, JsonNode? Identity = null, JsonNode? Plan = null);

public sealed record VirtualMachineProperties(
    string VmId, HardwareProfile? HardwareProfile, StorageProfile StorageProfile, string ProvisioningState, DateTimeOffset TimeCreated,
    JsonNode? OsProfile = null, JsonNode? NetworkProfile = null, JsonNode? SecurityProfile = null, JsonNode? DiagnosticsProfile = null,
    JsonNode? AdditionalCapabilities = null, JsonNode? BillingProfile = null, JsonNode? LicenseType = null, JsonNode? Priority = null,
    JsonNode? EvictionPolicy = null, VirtualMachineInstanceView? InstanceView = null);

public sealed record HardwareProfile(string? VmSize);

public sealed record StorageProfile(JsonNode? ImageReference, OsDisk OsDisk, IReadOnlyList<DataDisk> DataDisks);

public sealed record OsDisk(string OsType, string Name, int DiskSizeGB, string CreateOption, Vhd? Vhd, ManagedDiskReference? ManagedDisk,
    string? Caching, string? DeleteOption);

public sealed record DataDisk(int Lun, string Name, int DiskSizeGB, string CreateOption, Vhd? Vhd, ManagedDiskReference? ManagedDisk,
    string? Caching, string? DeleteOption);

public sealed record Vhd(string Uri);

public sealed record ManagedDiskReference(string Id, string StorageAccountType);

public sealed record ExtensionResource(string Id, string Name, string Type, string Location, ExtensionProperties Properties);

public sealed record ExtensionProperties(
    string Publisher, string Type, string TypeHandlerVersion, bool AutoUpgradeMinorVersion, string ProvisioningState,
    JsonObject? Settings, ExtensionInstanceView? InstanceView);

public sealed record ExtensionInstanceView(string Name, string Type, string TypeHandlerVersion, IReadOnlyList<InstanceViewStatus> Statuses);

public sealed record InstanceViewStatus(string Code, string Level, string DisplayStatus, string? Message, DateTimeOffset? Time);

public sealed record VirtualMachineInstanceView(
    string ComputerName, string OsName, VmAgentInstanceView VmAgent, IReadOnlyList<ExtensionInstanceView> Extensions, IReadOnlyList<InstanceViewStatus> Statuses);

public sealed record VmAgentInstanceView(string VmAgentVersion, IReadOnlyList<InstanceViewStatus> Statuses, IReadOnlyList<ExtensionHandlerInstanceView> ExtensionHandlers);

public sealed record ExtensionHandlerInstanceView(string Type, string TypeHandlerVersion, InstanceViewStatus Status);
