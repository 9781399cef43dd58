using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Disks;

/// <summary>
/// Deleting managed disks: the row first, then its blob (with any snapshots). A disk attached to a VM is refused with
/// Azure's <c>OperationNotAllowed</c>; a resource-group deletion calls <see cref="DeleteAllInGroupAsync"/> after the VMs.
/// </summary>
public sealed class DiskDeletion(BackupDbContext db, BlobStorage storage)
{
    /// <summary>False when there was no such disk.</summary>
    public async Task<bool> DeleteAsync(string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        var disk = await db.ManagedDisks.FirstOrDefaultAsync(d => d.Key == key, ct);
        if (disk is null) return false;
        await DeleteAsync(disk, ct);
        return true;
    }

    public async Task<int> DeleteAllInGroupAsync(string sub, string rg, CancellationToken ct)
    {
        var prefix = ResourceKeys.Of(sub, rg, "");
        var disks = await db.ManagedDisks.Where(d => d.Key.StartsWith(prefix)).ToListAsync(ct);
        foreach (var disk in disks) await DeleteAsync(disk, ct);
        return disks.Count;
    }

    private async Task DeleteAsync(ManagedDisk disk, CancellationToken ct)
    {
        var owner = (await DiskMapper.ManagedByAsync(db, [disk.Id], ct)).GetValueOrDefault(disk.Id);
        if (owner is not null)
            throw new ArmException(409, ArmErrorCodes.OperationNotAllowed,
                $"Disk {disk.Name} is attached to VM {owner}. Detach it or delete the VM before deleting the disk.");
        db.ManagedDisks.Remove(disk);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            // A VM attached it meanwhile: the foreign key kept the disk.
            throw new ArmException(409, ArmErrorCodes.OperationNotAllowed, $"Disk {disk.Name} was attached to a VM meanwhile; detach it first.");
        }
        await storage.DeleteBlobIfExistsAsync(disk.BlobContainer, disk.BlobName, ct);
    }
}
