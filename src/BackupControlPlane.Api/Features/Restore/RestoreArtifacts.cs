using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>The files a restore-disks job leaves beside the disks: the VM's config blob and a deployment template.</summary>
public static class RestoreArtifacts
{
    /// <summary>A restored disk: a VHD in the staging account, or the blob of the managed disk <paramref name="Managed"/>.</summary>
    public sealed record RestoredDisk(int Lun, string Name, int? DiskSizeGB, Uri VhdUri, long SizeBytes, ManagedDisk? Managed = null);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The VM as it was backed up, with its restored disks, in the shape Azure's recipes read: top-level keys
    /// "properties.hardwareProfile" and "properties.storageProfile" (osDisk.vhd.uri, dataDisks[].lun and vhd.uri).
    /// Written in UTF-16 with a byte-order mark, as Azure writes it (its PowerShell recipe reads it with -Encoding Unicode).
    /// </summary>
    public static byte[] ConfigBlob(VirtualMachine vm, IReadOnlyList<RestoredDisk> disks)
    {
        var os = disks.Single(d => d.Lun < 0);
        var config = new JsonObject
        {
            ["name"] = vm.Name,
            ["id"] = ArmIds.VirtualMachine(vm.SubscriptionId, vm.ResourceGroup, vm.Name),
            ["type"] = "Microsoft.Compute/virtualMachines",
            ["location"] = vm.Location,
            ["properties.storageProfile"] = new JsonObject
            {
                ["osDisk"] = Located(os, new JsonObject { ["osType"] = vm.OsType, ["name"] = os.Name, ["diskSizeGB"] = os.DiskSizeGB }),
                ["dataDisks"] = new JsonArray(disks.Where(d => d.Lun >= 0).Select(d => (JsonNode)Located(d, new JsonObject
                {
                    ["lun"] = d.Lun, ["name"] = d.Name, ["diskSizeGB"] = d.DiskSizeGB,
                })).ToArray()),
            },
        };
        // A VM created without a size has none to report (no invented value).
        if (vm.VmSize is not null) config["properties.hardwareProfile"] = new JsonObject { ["vmSize"] = vm.VmSize };
        return [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(config.ToJsonString(Indented))];
    }

    /// <summary>Where a restored disk is: <c>managedDisk.id</c> for a managed disk, else the VHD's <c>vhd.uri</c>.</summary>
    private static JsonObject Located(RestoredDisk d, JsonObject disk)
    {
        if (d.Managed is { } m) disk["managedDisk"] = new JsonObject { ["id"] = ArmResourceIds.Disk(m.SubscriptionId, m.ResourceGroup, m.Name), ["storageAccountType"] = m.SkuName };
        else disk["vhd"] = new JsonObject { ["uri"] = d.VhdUri.ToString() };
        return disk;
    }

    /// <summary>
    /// A minimal ARM deployment template that creates the VM on its restored disks (attached, not copied: VHDs or managed disks). Azure's own
    /// template also declares networking; the emulator's VMs have none.
    /// </summary>
    public static byte[] Template(VirtualMachine vm, IReadOnlyList<RestoredDisk> disks)
    {
        static JsonObject Disk(RestoredDisk d, JsonObject extra)
        {
            extra["name"] = d.Name;
            extra["createOption"] = "Attach";
            return Located(d, extra);
        }
        var os = disks.Single(d => d.Lun < 0);
        var template = new JsonObject
        {
            ["$schema"] = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            ["contentVersion"] = "1.0.0.0",
            ["parameters"] = new JsonObject
            {
                ["VirtualMachineName"] = new JsonObject { ["type"] = "string", ["defaultValue"] = vm.Name },
                // The source VM's size by default; a VM created without one leaves it to the deployer (no invented value).
                ["VirtualMachineSize"] = vm.VmSize is null ? new JsonObject { ["type"] = "string" } : new JsonObject { ["type"] = "string", ["defaultValue"] = vm.VmSize },
            },
            ["resources"] = new JsonArray(new JsonObject
            {
                ["type"] = "Microsoft.Compute/virtualMachines",
                ["apiVersion"] = "2024-07-01",
                ["name"] = "[parameters('VirtualMachineName')]",
                ["location"] = vm.Location,
                ["properties"] = new JsonObject
                {
                    ["hardwareProfile"] = new JsonObject { ["vmSize"] = "[parameters('VirtualMachineSize')]" },
                    ["storageProfile"] = new JsonObject
                    {
                        ["osDisk"] = Disk(os, new JsonObject { ["osType"] = vm.OsType }),
                        ["dataDisks"] = new JsonArray(disks.Where(d => d.Lun >= 0).Select(d => (JsonNode)Disk(d, new JsonObject { ["lun"] = d.Lun })).ToArray()),
                    },
                },
            }),
        };
        return Encoding.UTF8.GetBytes(template.ToJsonString(Indented));
    }
}
