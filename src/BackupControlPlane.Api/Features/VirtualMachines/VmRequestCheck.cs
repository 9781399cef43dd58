using System.Text.Json;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>
/// Refuses, by name, every member of a VM PUT the emulator does not keep (400). Read-only members a client sends back
/// from a GET (id, name, type, resources, properties.vmId, provisioningState, timeCreated, instanceView) are ignored, as
/// Azure ignores them.
/// </summary>
public static class VmRequestCheck
{
    public static void RefuseUnknown(VirtualMachineRequest body)
    {
        Refuse("", body.Other, "id", "name", "type", "etag", "resources");
        if (body.Properties is not { } p) return;
        Refuse("properties.", p.Other, "vmId", "provisioningState", "timeCreated", "instanceView");
        Refuse("properties.hardwareProfile.", p.HardwareProfile?.Other);
        if (p.StorageProfile is not { } s) return;
        Refuse("properties.storageProfile.", s.Other);
        if (s.OsDisk is { } os) Disk("properties.storageProfile.osDisk", os.Other, os.ManagedDisk, os.Vhd);
        for (var i = 0; i < (s.DataDisks?.Count ?? 0); i++)
            if (s.DataDisks![i] is { } d) Disk($"properties.storageProfile.dataDisks[{i}]", d.Other, d.ManagedDisk, d.Vhd);
    }

    private static void Disk(string path, Dictionary<string, JsonElement>? other, ManagedDiskRequest? managed, VhdRequest? vhd)
    {
        Refuse(path + ".", other);
        Refuse(path + ".managedDisk.", managed?.Other);
        Refuse(path + ".vhd.", vhd?.Other);
    }

    private static void Refuse(string prefix, Dictionary<string, JsonElement>? other, params string[] ignored) =>
        UnknownMembers.Refuse("virtual machine", prefix, other, ignored);
}
