using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.VirtualMachines;

public sealed class VirtualMachineMapper(BlobStorage storage)
{
    /// <summary>The VM as Azure answers it; <paramref name="instanceView"/> inline when the GET asked for <c>$expand=instanceView</c>.</summary>
    public VirtualMachineResource ToResource(VirtualMachine vm, VirtualMachineInstanceView? instanceView = null)
    {
        var id = ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name);
        var spec = VmSpec.Parse(vm.SpecJson);
        var p = spec.PropertyMembers;
        var os = vm.Disks.Single(d => d.Lun < 0);
        return new VirtualMachineResource(
            id, vm.Name, "Microsoft.Compute/virtualMachines", vm.Location,
            vm.TagsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(vm.TagsJson),
            new VirtualMachineProperties(
                vm.VmId.ToString(),
                // The size the VM was created with; none when it was created without one (nothing is invented).
                vm.VmSize is null ? null : new HardwareProfile(vm.VmSize),
                new StorageProfile(
                    spec.ImageReferenceNode?.DeepClone(),
                    new OsDisk(vm.OsType, os.Name, os.DiskSizeGB, os.CreateOption ?? "FromImage", Vhd(os), Managed(vm, os),
                        os.Caching, os.DeleteOption ?? (os.ManagedDiskId is null ? null : "Detach")),
                    vm.Disks.Where(d => d.Lun >= 0).OrderBy(d => d.Lun)
                        .Select(d => new DataDisk(d.Lun, d.Name, d.DiskSizeGB, d.CreateOption ?? "Empty", Vhd(d), Managed(vm, d),
                            d.Caching, d.DeleteOption ?? (d.ManagedDiskId is null ? null : "Detach")))
                        .ToList()),
                "Succeeded", vm.CreatedAt,
                p["osProfile"]?.DeepClone(),
                // Always present, if empty: clients (az vm show -d) walk networkProfile.networkInterfaces.
                p["networkProfile"]?.DeepClone() ?? new JsonObject { ["networkInterfaces"] = new JsonArray() },
                p["securityProfile"]?.DeepClone(), p["diagnosticsProfile"]?.DeepClone(), p["additionalCapabilities"]?.DeepClone(),
                p["billingProfile"]?.DeepClone(), p["licenseType"]?.DeepClone(), p["priority"]?.DeepClone(), p["evictionPolicy"]?.DeepClone(),
                instanceView),
            vm.Extensions.OrderBy(e => e.Name).Select(e => ToResource(vm, e, instanceView: false)).ToList(),
            spec.Zones?.DeepClone(), spec.IdentityNode?.DeepClone(), spec.PlanNode?.DeepClone());
    }

    private Vhd? Vhd(VirtualMachineDisk d) => d.ManagedDiskId is null ? new Vhd(storage.BlobUri(d.BlobContainer, d.BlobName).ToString()) : null;

    /// <summary>A managed disk's reference; loaded with the VM, else (a caller that did not load it) in the VM's group by the disk's name.</summary>
    private static ManagedDiskReference? Managed(VirtualMachine vm, VirtualMachineDisk d) => d.ManagedDiskId is null ? null
        : d.ManagedDisk is { } m
            ? new ManagedDiskReference(ArmResourceIds.Disk(m.SubscriptionId, m.ResourceGroup, m.Name), m.SkuName)
            : new ManagedDiskReference(ArmResourceIds.Disk(vm.SubscriptionId, vm.ResourceGroup, d.Name), "Standard_LRS");

    /// <summary>The ARM view of an extension: public settings only. Protected settings are never stored, so never shown.</summary>
    public static ExtensionResource ToResource(VirtualMachine vm, VirtualMachineExtension ext, bool instanceView)
    {
        var vmId = ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name);
        return new ExtensionResource(
            ArmIds.Extension(vmId, ext.Name), ext.Name, "Microsoft.Compute/virtualMachines/extensions", vm.Location,
            new ExtensionProperties(
                ext.Publisher, ext.Type, ext.TypeHandlerVersion, ext.AutoUpgradeMinorVersion, ext.ProvisioningState,
                ext.PublicSettingsJson is null ? null : JsonNode.Parse(ext.PublicSettingsJson) as JsonObject,
                instanceView ? ExtensionView(ext) : null));
    }

    public static ExtensionInstanceView ExtensionView(VirtualMachineExtension ext) => new(
        ext.Name, $"{ext.Publisher}.{ext.Type}", ext.HandlerVersionReported ?? ext.TypeHandlerVersion,
        [new InstanceViewStatus($"ProvisioningState/{ext.ProvisioningState.ToLowerInvariant()}", ext.ProvisioningState == "Failed" ? "Error" : "Info",
            $"Provisioning {ext.ProvisioningState.ToLowerInvariant()}", ext.StatusMessage, ext.StatusTime)]);

    public static VirtualMachineInstanceView InstanceView(VirtualMachine vm, bool agentReady) => new(
        vm.Name, vm.OsType,
        new VmAgentInstanceView(
            vm.AgentVersion ?? "Unknown",
            [agentReady
                ? new InstanceViewStatus("ProvisioningState/succeeded", "Info", "Ready", "GuestAgent is running and accepting new configurations.", vm.AgentLastSeen)
                : new InstanceViewStatus("ProvisioningState/Unavailable", "Warning", "Not Ready", "VM Agent is unresponsive.", vm.AgentLastSeen)],
            vm.Extensions.Where(e => e.HandlerVersionReported is not null).Select(e => new ExtensionHandlerInstanceView(
                $"{e.Publisher}.{e.Type}", e.HandlerVersionReported!, new InstanceViewStatus("ProvisioningState/succeeded", "Info", "Ready", null, e.StatusTime))).ToList()),
        vm.Extensions.Select(ExtensionView).ToList(),
        [new InstanceViewStatus("ProvisioningState/succeeded", "Info", "Provisioning succeeded", null, vm.CreatedAt),
         new InstanceViewStatus("PowerState/running", "Info", "VM running", null, null)]);
}
