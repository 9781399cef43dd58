using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// What a VM-only vault has none of: backup engines (DPM / Azure Backup Server). The list is empty and names are not
/// found, as Azure answers such a vault. (Resource Guard mappings are Features/ResourceGuards'.)
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
}
