using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Mvc;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The route values of every protected-item route (<see cref="ArmRoutes.ProtectedItem"/> and below), bound with
/// <c>[AsParameters]</c>, so a handler takes one parameter for them and every such route checks the names the same way
/// (fabric <c>Azure</c>, container and item naming the same VM). Route names are pinned to Azure's spelling.
/// </summary>
public readonly record struct ItemRoute(
    [FromRoute(Name = "subscriptionId")] string SubscriptionId,
    [FromRoute(Name = "resourceGroupName")] string ResourceGroupName,
    [FromRoute(Name = "vaultName")] string VaultName,
    [FromRoute(Name = "fabricName")] string FabricName,
    [FromRoute(Name = "containerName")] string ContainerName,
    [FromRoute(Name = "protectedItemName")] string ProtectedItemName)
{
    /// <summary>The item's container name (<c>iaasvmcontainerv2;{rg};{vm}</c>), or ARM's 400/404 for names that do not fit.</summary>
    public string Container() => ArmItemNames.Parse(FabricName, ContainerName, ProtectedItemName);

    /// <summary>The vault, tracked (for routes that change it or rows under it), or ARM's 404.</summary>
    public Task<Vault> VaultAsync(BackupDbContext db, CancellationToken ct) => ArmLookups.FindVaultAsync(db, SubscriptionId, ResourceGroupName, VaultName, ct);
}
