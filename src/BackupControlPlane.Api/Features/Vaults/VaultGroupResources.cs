using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Recovery Services vaults as Microsoft.Resources lists and deletes them with their resource group. A group's vaults
/// refuse and go by the same rule as a vault DELETE (<see cref="VaultDeletion"/>).
/// </summary>
public sealed class VaultGroupResources(BackupDbContext db, VaultDeletion deletion) : IGroupResources
{
    private const string Type = "Microsoft.RecoveryServices/vaults";

    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vaults = await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct);
        return vaults.Select(v => new GenericResource(ArmLookups.VaultId(v), v.Name, Type, v.Location, GenericResource.TagsOf(v.TagsJson),
            Sku: new GenericSku(v.SkuName, "Standard"), CreatedTime: v.CreatedAt, ChangedTime: v.ModifiedAt)).ToList();
    }

    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        return await deletion.RefusalAsync(await db.Vaults.AsNoTracking().Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct), ct);
    }

    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var vaults = await db.Vaults.Where(v => v.Key.StartsWith(prefix)).ToListAsync(ct);
        if (vaults.Count > 0) await deletion.RemoveAsync(vaults, ct);
        return null;
    }
}
