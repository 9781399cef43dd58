using System.Text.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Data;

/// <summary>A disk of a VM as a backup found it: its LUN (-1: the OS disk), size, managed disk SKU (null: an unmanaged VHD).</summary>
public sealed record PointVmDisk(int Lun, string Name, int DiskSizeGB, string? Sku);

/// <summary>
/// The VM as a recovery point describes it (Azure's IaasVMRecoveryPoint fields) and a restore rebuilds it: managed or
/// not, size, OS type, region, zones, security type and disks, as they were when the backup ran. Stored as this JSON
/// on the point; points made before it was kept describe the VM as it is now.
/// </summary>
public sealed record PointVmState(bool IsManaged, string? VmSize, string OsType, string Location, string[]? Zones, string SecurityType,
    IReadOnlyList<PointVmDisk> Disks)
{
    /// <summary>The state of <paramref name="vm"/> now (its <see cref="VirtualMachine.Disks"/> and their managed disks loaded).</summary>
    public static PointVmState Of(VirtualMachine vm)
    {
        var spec = vm.SpecJson is null ? null : JsonNode.Parse(vm.SpecJson);
        var zones = (spec?["zones"] as JsonArray)?.Select(z => z!.GetValue<string>()).ToArray();
        var security = spec?["properties"]?["securityProfile"]?["securityType"]?.GetValue<string>() ?? "None";
        var disks = vm.Disks.OrderBy(d => d.Lun).Select(d => new PointVmDisk(d.Lun, d.Name, d.DiskSizeGB, d.ManagedDisk?.SkuName)).ToList();
        return new PointVmState(vm.Disks.Any(d => d.ManagedDiskId is not null), vm.VmSize, vm.OsType, vm.Location, zones is { Length: > 0 } ? zones : null,
            security, disks);
    }

    /// <summary>
    /// Azure's sourceVMStorageType: a VM with any Premium SSD disk is reported as "PremiumVMOnPartialPremiumStorage"
    /// (the value the service returns for premium VMs), every other one as "NormalStorage".
    /// </summary>
    public string SourceVmStorageType => Disks.Any(d => d.Sku?.StartsWith("Premium", StringComparison.OrdinalIgnoreCase) == true)
        ? "PremiumVMOnPartialPremiumStorage" : "NormalStorage";

    /// <summary>What <paramref name="point"/> says of its VM (<paramref name="vm"/>, with its disks and their managed disks loaded).</summary>
    public static PointVmState OfPoint(RecoveryPoint point, VirtualMachine vm) => Parse(point.VmStateJson) ?? Of(vm);

    public static PointVmState? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<PointVmState>(json, JsonSerializerOptions.Web);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);
}
