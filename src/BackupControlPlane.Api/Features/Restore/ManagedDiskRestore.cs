using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// Restore disks of a managed VM into <c>targetResourceGroupId</c>: each disk of the point becomes a
/// <c>Microsoft.Compute/disks</c> resource (creationData.createOption "Restore") named as Azure names restored disks,
/// <c>{vm}-osdisk-{yyyyMMdd-HHmmss}</c> and <c>{vm}-datadisk-{lun:000}-{yyyyMMdd-HHmmss}</c> (the restore's start, UTC);
/// the staging storage account receives only the config blob and the template. Without a target group (the CLI's
/// <c>--restore-as-unmanaged-disks</c>) the disks are VHDs in the storage account, as before. The other modes restore
/// their disks the same way.
/// </summary>
public sealed class ManagedDiskRestore(BackupDbContext db, BlobStorage storage, TimeProvider time)
{
    /// <summary>Checks the RestoreDisks members: a managed VM's point with a target group restores managed disks (optionally into a zone).</summary>
    public static RestoreEndpoints.RestoreTarget Check(IaasVmRestoreRequestProperties p, RestoreEndpoints.RestoreTarget basic, (string Sub, string Rg)? target,
        VirtualMachine vm, PointVmState state)
    {
        if (p.TargetVirtualMachineId is { Length: > 0 } || p.VirtualNetworkId is { Length: > 0 } || p.SubnetId is { Length: > 0 })
            throw ArmException.BadRequest("targetVirtualMachineId, virtualNetworkId and subnetId describe a new VM: send them with recoveryType 'AlternateLocation', " +
                "not 'RestoreDisks'.");
        var zone = Zone(p.Zones);
        if (!state.IsManaged || target is not { } group)
        {
            if (zone is not null)
                throw ArmException.BadRequest("properties.zones (the target zone) applies to managed disks restored into targetResourceGroupId: " +
                    (state.IsManaged ? "send targetResourceGroupId too." : "this recovery point is of a VM with unmanaged disks."));
            return basic;
        }
        return basic with { Managed = new(group.Sub, group.Rg, state.Location, zone, vm.Name) };
    }

    /// <summary>The target zone of <c>zones</c>: at most one of "1", "2", "3".</summary>
    public static string? Zone(string[]? zones) => zones switch
    {
        null or [] => null,
        [var z] when z is "1" or "2" or "3" => z,
        _ => throw ArmException.BadRequest($"properties.zones [{string.Join(", ", zones)}] is not a target zone: send one of \"1\", \"2\" or \"3\"."),
    };

    /// <summary>The plan of the managed disks: their names fixed now, so a re-run of the job makes the same disks.</summary>
    public static ManagedDiskPlan Plan(RestoreEndpoints.ManagedTarget target, IEnumerable<int> luns, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        return new ManagedDiskPlan(target.SubscriptionId, target.ResourceGroup, target.Location, target.Zone,
            [.. luns.Order().Select(l => new RestoredDiskName(l, l < 0 ? $"{target.VmName}-osdisk-{stamp}" : $"{target.VmName}-datadisk-{l:000}-{stamp}"))]);
    }

    /// <summary>
    /// Copies each disk of the point (through <paramref name="copy"/>, from the tier the job chose) into the blob of a new
    /// managed disk and adds the disks to the context (saved by the caller with the job's completion). A disk of that
    /// name already in the target group is refused: a restore never overwrites a disk.
    /// </summary>
    public async Task<List<RestoreArtifacts.RestoredDisk>> CopyAsync(Guid jobId, ManagedDiskPlan plan, IReadOnlyList<RecoveryPointDisk> disks, PointVmState state,
        Func<RecoveryPointDisk, string, string, Task<long>> copy, CancellationToken ct)
    {
        var restored = new List<RestoreArtifacts.RestoredDisk>();
        var now = time.GetUtcNow();
        foreach (var disk in disks)
        {
            var name = plan.Names.Single(n => n.Lun == disk.Lun).Name;
            var key = ResourceKeys.Of(plan.SubscriptionId, plan.ResourceGroup, name);
            if (await db.ManagedDisks.AnyAsync(d => d.Key == key, ct))
                throw new InvalidOperationException($"a disk named '{name}' already exists in resource group '{plan.ResourceGroup}'");
            var blob = $"restored-{jobId:N}/{name}.vhd";
            var size = await copy(disk, BlobStorage.DisksContainer, blob);
            var source = state.Disks.FirstOrDefault(d => d.Lun == disk.Lun);
            var managed = new ManagedDisk
            {
                UniqueId = Guid.NewGuid(), SubscriptionId = plan.SubscriptionId, ResourceGroup = plan.ResourceGroup, Name = name, Key = key,
                Location = plan.Location, SkuName = source?.Sku ?? "Standard_LRS", DiskSizeGB = source?.DiskSizeGB ?? (int)Math.Max(1, size >> 30),
                OsType = disk.Lun < 0 ? state.OsType : null, CreateOption = "Restore",
                ZonesJson = plan.Zone is { } z ? JsonSerializer.Serialize(new[] { z }) : state.Zones is { } zones ? JsonSerializer.Serialize(zones) : null,
                BlobContainer = BlobStorage.DisksContainer, BlobName = blob, CreatedAt = now,
            };
            db.ManagedDisks.Add(managed);
            restored.Add(new(disk.Lun, name, managed.DiskSizeGB, storage.BlobUri(BlobStorage.DisksContainer, blob), size, managed));
        }
        return restored;
    }
}
