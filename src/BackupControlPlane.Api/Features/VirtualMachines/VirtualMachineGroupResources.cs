using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.VirtualMachines;

/// <summary>The emulated VMs as Microsoft.Resources lists and deletes them with their resource group.</summary>
public sealed class VirtualMachineGroupResources(BackupDbContext db, BlobStorage storage) : IGroupResources
{
    private const string Type = "Microsoft.Compute/virtualMachines";

    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vms = await db.VirtualMachines.AsNoTracking().Where(v => v.Key.StartsWith(prefix))
            .Select(v => new { v.SubscriptionId, v.ResourceGroup, v.Name, v.Location, v.TagsJson, v.CreatedAt }).ToListAsync(ct);
        return vms.Select(v => new GenericResource(ArmIds.VirtualMachine(v.SubscriptionId, v.ResourceGroup, v.Name), v.Name, Type, v.Location,
            GenericResource.TagsOf(v.TagsJson), CreatedTime: v.CreatedAt)).ToList();
    }

    /// <summary>
    /// A VM protected by a vault in another group refuses, as its own DELETE does. One protected by a vault in the same
    /// group is left to that vault's refusal (Azure's error for it is the vault's).
    /// </summary>
    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var protectedVm = await db.ProtectedItems.AsNoTracking()
            .Where(p => p.VirtualMachine!.Key.StartsWith(prefix) && !p.Vault!.Key.StartsWith(prefix))
            .Select(p => new { p.VirtualMachine!.SubscriptionId, p.VirtualMachine.ResourceGroup, p.VirtualMachine.Name }).FirstOrDefaultAsync(ct);
        return protectedVm is null ? null : new ArmErrorBody(ArmErrorCodes.OperationNotAllowed,
            $"The VM '{protectedVm.Name}' is protected by a Recovery Services vault; the emulator keeps protected VMs. Stop protection and delete its backup data first.",
            ArmIds.VirtualMachine(protectedVm.SubscriptionId, protectedVm.ResourceGroup, protectedVm.Name));
    }

    /// <summary>The VM rows (disks, extensions and agent tasks cascade), then their disk blobs, as the VM DELETE does.</summary>
    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vms = await db.VirtualMachines.Include(v => v.Disks).Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct);
        if (vms.Count == 0) return null;
        db.VirtualMachines.RemoveRange(vms);
        var blobs = vms.SelectMany(v => v.Disks).Select(d => (d.BlobContainer, d.BlobName)).ToList();
        return async cleanupCt =>
        {
            foreach (var (container, blob) in blobs) await storage.DeleteBlobIfExistsAsync(container, blob, cleanupCt);
        };
    }
}
