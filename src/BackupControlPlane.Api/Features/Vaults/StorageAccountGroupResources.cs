using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Storage accounts created by a PUT, as Microsoft.Resources lists and deletes them with their resource group. (One
/// never PUT is answered from its group without a row, so it is not listed; restored blobs live in the emulator's one
/// blob endpoint and stay.)
/// </summary>
public sealed class StorageAccountGroupResources(BackupDbContext db) : IGroupResources
{
    private const string Type = "Microsoft.Storage/storageAccounts";

    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var accounts = await db.StorageAccounts.AsNoTracking().Where(a => a.Key.StartsWith(prefix)).ToListAsync(ct);
        return accounts.Select(a => new GenericResource(
            $"{ArmIds.ResourceGroup(a.SubscriptionId, a.ResourceGroup)}/providers/{Type}/{a.Name}", a.Name, Type, a.Location,
            Kind: a.Kind, Sku: new GenericSku(a.SkuName, a.SkuName.Split('_')[0]), CreatedTime: a.CreatedAt)).ToList();
    }

    public Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct) => Task.FromResult<ArmErrorBody?>(null);

    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        db.StorageAccounts.RemoveRange(await db.StorageAccounts.Where(a => a.Key.StartsWith(prefix)).ToListAsync(ct));
        return null;
    }
}
