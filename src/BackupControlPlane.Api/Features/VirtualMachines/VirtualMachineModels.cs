using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.VirtualMachines;

// Request and response shapes of Microsoft.Compute, reduced to what an emulated VM has: unmanaged disks whose VHDs
// are page blobs in blob storage.

public sealed record VirtualMachineRequest(string? Location, VirtualMachineRequestProperties? Properties, Dictionary<string, string>? Tags);

public sealed record VirtualMachineRequestProperties(HardwareProfile? HardwareProfile, StorageProfileRequest? StorageProfile);

public sealed record HardwareProfile(string? VmSize);

public sealed record StorageProfileRequest(OsDiskRequest? OsDisk, List<DataDiskRequest>? DataDisks);

public sealed record OsDiskRequest(string? OsType, string? Name, int? DiskSizeGB);

public sealed record DataDiskRequest(int? Lun, string? Name, int? DiskSizeGB);

public sealed record VirtualMachineResource(
    string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags,
    VirtualMachineProperties Properties, IReadOnlyList<ExtensionResource> Resources);

public sealed record VirtualMachineProperties(
    string VmId, HardwareProfile? HardwareProfile, StorageProfile StorageProfile, string ProvisioningState, DateTimeOffset TimeCreated);

public sealed record StorageProfile(OsDisk OsDisk, IReadOnlyList<DataDisk> DataDisks);

public sealed record OsDisk(string OsType, string Name, int DiskSizeGB, string CreateOption, Vhd Vhd);

public sealed record DataDisk(int Lun, string Name, int DiskSizeGB, string CreateOption, Vhd Vhd);

public sealed record Vhd(string Uri);

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
