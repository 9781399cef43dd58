using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Recovery Services vaults as Microsoft.Resources lists and deletes them with their resource group. A vault with
/// backup items refuses as Azure's vault DELETE does (azure-vault-security-iac.md §1.3): active items with
/// <c>ServiceResourceNotEmptyWithContainerDetails</c> (its message holds "existing resources within the vault", which
/// clients look for), only soft-deleted ones with <c>ServiceResourceNotEmptyWithBackendMessage</c>.
/// </summary>
public sealed class VaultGroupResources(BackupDbContext db) : IGroupResources
{
    private const string Type = "Microsoft.RecoveryServices/vaults";

    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vaults = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct);
        // The vault's GET shows sku RS0/Standard whatever was asked; the generic view says the same.
        return vaults.Select(v => new GenericResource(ArmLookups.VaultId(v), v.Name, Type, v.Location, GenericResource.TagsOf(v.TagsJson),
            Sku: new GenericSku("RS0", "Standard"), CreatedTime: v.CreatedAt, ChangedTime: v.ModifiedAt)).ToList();
    }

    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var items = await db.ProtectedItems.AsNoTracking().Where(p => p.Vault!.Key.StartsWith(prefix))
            .Select(p => new { p.Vault!.SubscriptionId, p.Vault.ResourceGroup, VaultName = p.Vault.Name, p.ContainerName, p.DeferredDeleteTime })
            .ToListAsync(ct);
        if (items.Count == 0) return null;
        var vault = items.GroupBy(i => i.VaultName).OrderByDescending(g => g.Any(i => i.DeferredDeleteTime is null)).First();
        var id = ArmIds.Vault(vault.First().SubscriptionId, vault.First().ResourceGroup, vault.Key);
        var active = vault.Where(i => i.DeferredDeleteTime is null).Select(i => i.ContainerName).Order().ToList();
        return active.Count > 0
            ? new ArmErrorBody("ServiceResourceNotEmptyWithContainerDetails",
                "Vault cannot be deleted as there are existing resources within the vault. Please ensure there are no backup items, protected servers or backup management servers associated with this vault. " +
                $"Unregister the following containers associated with this vault before proceeding for deletion : {string.Join(", ", active)}. Unregister all containers from the vault and then retry to delete vault.", id)
            : new ArmErrorBody("ServiceResourceNotEmptyWithBackendMessage",
                "Recovery Services vault cannot be deleted as there are backup items still present in soft delete state. Visit the following link for the steps to permanently delete soft deleted items: https://aka.ms/undeletesoftdeleteditems.", id);
    }

    /// <summary>
    /// Vaults without items: their rows (policies cascade), jobs and operations. A policy's scheduled slot job finds
    /// its policy gone and does nothing. The vault holds no blobs once it has no items (purging an item deletes its copies).
    /// </summary>
    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vaults = await db.Vaults.Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct);
        if (vaults.Count == 0) return null;
        var ids = vaults.Select(v => v.Id).ToList();
        await db.BackupJobs.Where(j => ids.Contains(j.VaultId)).ExecuteDeleteAsync(ct);
        await db.AsyncOperations.Where(o => ids.Contains(o.VaultId)).ExecuteDeleteAsync(ct);
        db.Vaults.RemoveRange(vaults);
        return null;
    }
}
