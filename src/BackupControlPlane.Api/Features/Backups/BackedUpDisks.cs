using System.Text.Json;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// Selective disk backup on a finished snapshot: the recovery point records which of the VM's disks it holds and which
/// it left out (Azure's <c>recoveryPointDiskConfiguration</c>), and, when the item excludes disks, the job names both
/// in its propertyBag as Azure does (<c>Backed-up disk(s)</c>, <c>Excluded disk(s)</c>, names joined by "; "). The point
/// also keeps the VM as it was (<see cref="PointVmState"/>): size, OS, zones, security type, disks.
/// </summary>
public static class BackedUpDisks
{
    public static void Describe(RecoveryPoint point, BackupJob job, AgentTask task)
    {
        var config = PointDiskConfiguration.Of(task.VirtualMachine!.Disks, task.DiskExclusionJson);
        point.DiskConfigurationJson = config.ToJson();
        point.VmStateJson = PointVmState.Of(task.VirtualMachine).ToJson(); // the VM as the point describes it and a restore rebuilds it
        if (task.DiskExclusionJson is null) return;
        var bag = job.PropertyBagJson is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        bag["Backed-up disk(s)"] = string.Join("; ", config.IncludedDiskList.Select(d => d.Name));
        if (config.ExcludedDiskList.Count > 0) bag["Excluded disk(s)"] = string.Join("; ", config.ExcludedDiskList.Select(d => d.Name));
        job.PropertyBagJson = JsonSerializer.Serialize(bag);
    }
}
