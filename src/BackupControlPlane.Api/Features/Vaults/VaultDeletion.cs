using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// When a vault may be deleted, and its removal: one rule for <c>DELETE V</c> and for its resource group's deletion
/// (azure-vault-security-iac.md §1.3). A vault with an active protected item (a registered container) refuses with
/// <c>ServiceResourceNotEmptyWithContainerDetails</c>, whose message holds "existing resources within the vault" (the
/// az CLI's <c>--force</c> looks for it, then stops protection and deletes the data of each item); one holding only
/// soft-deleted items refuses with <c>ServiceResourceNotEmptyWithBackendMessage</c> (no "existing resources": --force
/// cannot purge soft-deleted items, as in Azure). Both 400.
/// </summary>
public sealed class VaultDeletion(BackupDbContext db)
{
    /// <summary>Why one of <paramref name="vaults"/> cannot be deleted, as Azure's error with the vault's id as its target; null when none refuses.</summary>
    public async Task<ArmErrorBody?> RefusalAsync(IReadOnlyCollection<Vault> vaults, CancellationToken ct)
    {
        var ids = vaults.Select(v => v.Id).ToList();
        var items = await db.ProtectedItems.AsNoTracking().Where(p => ids.Contains(p.VaultId))
            .Select(p => new { p.VaultId, p.ContainerName, p.DeferredDeleteTime }).ToListAsync(ct);
        if (items.Count == 0) return null;
        var refusing = items.GroupBy(i => i.VaultId).OrderByDescending(g => g.Any(i => i.DeferredDeleteTime is null)).First();
        var id = ArmLookups.VaultId(vaults.First(v => v.Id == refusing.Key));
        var active = refusing.Where(i => i.DeferredDeleteTime is null).Select(i => i.ContainerName).Order().ToList();
        return active.Count > 0
            ? new ArmErrorBody("ServiceResourceNotEmptyWithContainerDetails",
                "Vault cannot be deleted as there are existing resources within the vault. Please ensure there are no backup items, protected servers or backup management servers associated with this vault. " +
                $"Unregister the following containers associated with this vault before proceeding for deletion : {string.Join(", ", active)}. Unregister all containers from the vault and then retry to delete vault.", id)
            : new ArmErrorBody("ServiceResourceNotEmptyWithBackendMessage",
                "Recovery Services vault cannot be deleted as there are backup items still present in soft delete state. Visit the following link for the steps to permanently delete soft deleted items: https://aka.ms/undeletesoftdeleteditems.", id);
    }

    /// <summary>
    /// Stages the removal of vaults that hold no items: their rows (policies cascade), jobs and operations. A policy's
    /// scheduled slot job finds its policy gone and does nothing. The vault holds no blobs once it has no items
    /// (purging an item deletes its copies). The caller saves.
    /// </summary>
    public async Task RemoveAsync(IReadOnlyCollection<Vault> vaults, CancellationToken ct)
    {
        var ids = vaults.Select(v => v.Id).ToList();
        await db.BackupJobs.Where(j => ids.Contains(j.VaultId)).ExecuteDeleteAsync(ct);
        await db.AsyncOperations.Where(o => ids.Contains(o.VaultId)).ExecuteDeleteAsync(ct);
        db.Vaults.RemoveRange(vaults);
    }
}
