using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// What a VM-only vault has none of: backup engines (DPM / Azure Backup Server) and Resource Guard mappings (multi-user
/// authorization). Lists are empty and names are not found, as Azure answers such a vault; mapping a Resource Guard is
/// not emulated and is refused by name.
/// </summary>
public static class VaultBackupServerEndpoints
{
    public static void MapVaultBackupServers(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        var v = ArmRoutes.Vault;
        group.MapGet(v + "/backupEngines", EmptyList).WithSummary("Backup servers registered to the vault: none (a VM-only vault).");
        group.MapGet(v + "/backupEngines/{backupEngineName}", (string subscriptionId, string resourceGroupName, string vaultName, string backupEngineName, BackupDbContext db, CancellationToken ct) =>
            NotFound(db, subscriptionId, resourceGroupName, vaultName, "backupEngines/" + backupEngineName, ct));
        // The CLI checks this list is empty before deleting data or changing soft delete.
        group.MapGet(v + "/backupResourceGuardProxies", EmptyList).WithSummary("Resource Guard mappings: none (multi-user authorization is not emulated).");
        group.MapGet(v + "/backupResourceGuardProxies/{resourceGuardProxyName}", (string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName, BackupDbContext db, CancellationToken ct) =>
            NotFound(db, subscriptionId, resourceGroupName, vaultName, "backupResourceGuardProxies/" + resourceGuardProxyName, ct));
        group.MapDelete(v + "/backupResourceGuardProxies/{resourceGuardProxyName}", (string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName, BackupDbContext db, CancellationToken ct) =>
            NotFound(db, subscriptionId, resourceGroupName, vaultName, "backupResourceGuardProxies/" + resourceGuardProxyName, ct));
        group.MapPost(v + "/backupResourceGuardProxies/{resourceGuardProxyName}/unlockDelete", (string subscriptionId, string resourceGroupName, string vaultName, string resourceGuardProxyName, BackupDbContext db, CancellationToken ct) =>
            NotFound(db, subscriptionId, resourceGroupName, vaultName, "backupResourceGuardProxies/" + resourceGuardProxyName, ct));
        group.MapPut(v + "/backupResourceGuardProxies/{resourceGuardProxyName}", RefuseMapping)
            .WithSummary("Map a Resource Guard: refused, multi-user authorization is not emulated (400 BMSUserErrorNotSupported).");
    }

    private static async Task<Ok<ArmList<object>>> EmptyList(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct)
    {
        await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        return TypedResults.Ok(new ArmList<object>([]));
    }

    private static async Task<IResult> NotFound(BackupDbContext db, string sub, string rg, string vaultName, string child, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, sub, rg, vaultName, ct);
        throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/{child}");
    }

    private static async Task<IResult> RefuseMapping(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct)
    {
        await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        throw ArmException.BadRequest("Multi-user authorization (mapping a Resource Guard to the vault, backupResourceGuardProxies PUT) is not emulated yet: "
            + "the vault has no Resource Guard and its critical operations need no approval.", "BMSUserErrorNotSupported");
    }
}
