using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// The vault's configuration resources the az CLI reads (backup properties, storage redundancy, encryption), and the
/// storage accounts restore targets name. Values are Azure's defaults for a new vault; the storage redundancy is
/// "Unlocked" until the vault protects an item, then "Locked", as Azure lets it be changed only before that.
/// </summary>
public static class VaultConfigEndpoints
{
    public sealed record ConfigResource(string Id, string Name, string Type, Dictionary<string, object> Properties);

    public static void MapVaultConfig(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        var v = ArmRoutes.Vault;
        group.MapGet(v + "/backupconfig/vaultconfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db,
            Microsoft.Extensions.Options.IOptions<EmulatorOptions> options, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupconfig", "vaultconfig", locked => new()
            {
                ["storageModelType"] = "GeoRedundant", ["storageType"] = "GeoRedundant", ["storageTypeState"] = locked,
                ["enhancedSecurityState"] = "Enabled", ["softDeleteFeatureState"] = options.Value.SoftDeleteRetentionDays > 0 ? "Enabled" : "Disabled",
                ["softDeleteRetentionPeriodInDays"] = options.Value.SoftDeleteRetentionDays,
            }, ct));
        group.MapGet(v + "/backupstorageconfig/vaultstorageconfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupstorageconfig", "vaultstorageconfig", locked => new()
            {
                ["storageModelType"] = "GeoRedundant", ["storageType"] = "GeoRedundant", ["storageTypeState"] = locked, ["crossRegionRestoreFlag"] = false,
            }, ct));
        group.MapGet(v + "/backupEncryptionConfigs/backupResourceEncryptionConfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupEncryptionConfigs", "backupResourceEncryptionConfig", _ => new()
            {
                ["encryptionAtRestType"] = "MicrosoftManaged", ["infrastructureEncryptionState"] = "Disabled",
            }, ct));

        app.MapStorageAccounts();
    }

    /// <param name="properties">The properties, given the vault's storage type state ("Locked" once it protects an item).</param>
    private static async Task<IResult> Config(BackupDbContext db, string sub, string rg, string vaultName, string type, string name,
        Func<string, Dictionary<string, object>> properties, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, sub, rg, vaultName, ct);
        var locked = await db.ProtectedItems.AnyAsync(i => i.VaultId == vault.Id, ct) ? "Locked" : "Unlocked";
        return TypedResults.Ok(new ConfigResource($"{ArmLookups.VaultId(vault)}/{type}/{name}", name, $"Microsoft.RecoveryServices/vaults/{type}", properties(locked)));
    }
}
