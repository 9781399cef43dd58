using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Disks;

/// <summary>The managed disks as Microsoft.Resources lists and deletes them with their resource group.</summary>
public sealed class DiskGroupResources(BackupDbContext db, BlobStorage storage) : IGroupResources
{
    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var disks = await db.ManagedDisks.AsNoTracking().Where(d => d.Key.StartsWith(prefix))
            .Select(d => new { d.SubscriptionId, d.ResourceGroup, d.Name, d.Location, d.TagsJson, d.SkuName, d.CreatedAt }).ToListAsync(ct);
        return disks.Select(d => new GenericResource(ArmResourceIds.Disk(d.SubscriptionId, d.ResourceGroup, d.Name), d.Name, ArmResourceIds.DisksType, d.Location,
            GenericResource.TagsOf(d.TagsJson), Sku: new GenericSku(d.SkuName), CreatedTime: d.CreatedAt)).ToList();
    }

    /// <summary>A disk of the group attached to a VM of another group refuses, as its own DELETE does.</summary>
    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var attached = await (from a in db.VirtualMachineDisks.AsNoTracking()
                              join vm in db.VirtualMachines on a.VirtualMachineId equals vm.Id
                              where a.ManagedDisk!.Key.StartsWith(prefix) && !vm.Key.StartsWith(prefix)
                              select new { Disk = a.ManagedDisk!.Name, Vm = vm.Name }).FirstOrDefaultAsync(ct);
        return attached is null ? null : new ArmErrorBody(ArmErrorCodes.OperationNotAllowed,
            $"Disk {attached.Disk} is attached to VM {attached.Vm} in another resource group. Detach it or delete the VM first.",
            ArmResourceIds.Disk(subscriptionId, resourceGroup, attached.Disk));
    }

    /// <summary>
    /// The disk rows (the group's VMs, removed in the same transaction, held their attachments), then the blobs of the
    /// unattached ones: an attached disk shares its blob with its VM's disk, which the VMs' clean-up deletes.
    /// </summary>
    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var disks = await db.ManagedDisks.Where(d => d.Key.StartsWith(prefix)).ToListAsync(ct);
        if (disks.Count == 0) return null;
        var ids = disks.Select(d => d.Id).ToList();
        var attached = (await db.VirtualMachineDisks.Where(a => a.ManagedDiskId != null && ids.Contains(a.ManagedDiskId.Value))
            .Select(a => a.ManagedDiskId!.Value).ToListAsync(ct)).ToHashSet();
        db.ManagedDisks.RemoveRange(disks);
        var blobs = disks.Where(d => !attached.Contains(d.Id)).Select(d => (d.BlobContainer, d.BlobName)).ToList();
        if (blobs.Count == 0) return null;
        return async cleanupCt =>
        {
            foreach (var (container, blob) in blobs) await storage.DeleteBlobIfExistsAsync(container, blob, cleanupCt);
        };
    }
}
