using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// Resource Guards as Microsoft.Resources lists and deletes them with their resource group. A guard mapped to a vault
/// outside the group refuses, as its own DELETE does (a vault in the group goes with it, mapping and all).
/// </summary>
public sealed class ResourceGuardGroupResources(BackupDbContext db) : IGroupResources
{
    public async Task<IReadOnlyList<GenericResource>> ListAsync(string subscriptionId, string? resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var guards = await db.ResourceGuards.AsNoTracking().Where(g => g.Key.StartsWith(prefix)).ToListAsync(ct);
        return guards.Select(g => new GenericResource(ResourceGuardMapper.Id(g.SubscriptionId, g.ResourceGroup, g.Name), g.Name, ResourceGuardMapper.Type, g.Location,
            GenericResource.TagsOf(g.TagsJson), CreatedTime: g.CreatedAt, ChangedTime: g.ModifiedAt, ProvisioningState: "Succeeded")).ToList();
    }

    public async Task<ArmErrorBody?> DeletionRefusalAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        var guards = await db.ResourceGuards.AsNoTracking().Where(g => g.Key.StartsWith(prefix)).ToListAsync(ct);
        foreach (var guard in guards)
        {
            var id = ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name);
            var lower = id.ToLowerInvariant();
            var outside = await db.ResourceGuardProxies.AsNoTracking()
                .Where(p => p.ResourceGuardResourceId.ToLower() == lower && !p.Vault!.Key.StartsWith(prefix)).Select(p => p.Vault!.Name).FirstOrDefaultAsync(ct);
            if (outside is not null)
                return new ArmErrorBody("Conflict", $"The resource guard '{guard.Name}' protects the vault '{outside}' in another resource group: remove that vault's Resource Guard mapping first.", id);
        }
        return null;
    }

    public async Task<Func<CancellationToken, Task>?> RemoveAsync(string subscriptionId, string resourceGroup, CancellationToken ct)
    {
        var prefix = GenericResource.KeyPrefix(subscriptionId, resourceGroup);
        db.ResourceGuards.RemoveRange(await db.ResourceGuards.Where(g => g.Key.StartsWith(prefix)).ToListAsync(ct));
        return null;
    }
}
