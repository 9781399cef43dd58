using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>One protection container by name, the same resource <c>backupProtectionContainers</c> lists (a protected VM's).</summary>
public static class ContainerEndpoints
{
    public static void MapContainers(this IEndpointRouteBuilder app) =>
        app.MapArm().WithTags("Protected items")
            .MapGet(ArmRoutes.Vault + "/backupFabrics/{fabricName}/protectionContainers/{containerName}", Get)
            .WithSummary("A protection container (IaasVMContainer;iaasvmcontainerv2;{rg};{vm}), as the container list shows it.");

    private static async Task<Ok<ProtectionContainerResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, string fabricName,
        string containerName, BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var vaultId = ArmLookups.VaultId(vault);
        if (!fabricName.Equals("Azure", StringComparison.OrdinalIgnoreCase)) throw ArmException.NotFound($"{vaultId}/backupFabrics/{fabricName} (the only fabric is 'Azure')");
        // Azure names the container "IaasVMContainer;iaasvmcontainerv2;{rg};{vm}"; clients also send the short form.
        var container = ArmIds.ParseContainerName(containerName, "IaasVMContainer")
            ?? ArmIds.ParseContainerName("IaasVMContainer;" + containerName, "IaasVMContainer");
        var item = container is null ? null : await db.ProtectedItems.AsNoTracking().Include(i => i.VirtualMachine)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct);
        return item is null
            ? throw ArmException.NotFound($"{ArmIds.Fabric(vaultId)}/protectionContainers/{containerName}")
            : TypedResults.Ok(ProtectedItemMapper.ToContainer(vaultId, item));
    }
}
