using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// The vault's fixed configuration resources the az CLI reads (backup properties, storage redundancy, encryption),
/// and the storage accounts restore targets name. Values are Azure's defaults for a new vault.
/// </summary>
public static class VaultConfigEndpoints
{
    public sealed record ConfigResource(string Id, string Name, string Type, Dictionary<string, object> Properties);

    public sealed record StorageAccountResource(string Id, string Name, string Type, string Location, string Kind, Dictionary<string, string> Sku, Dictionary<string, object> Properties);

    public static void MapVaultConfig(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Recovery Services vaults");
        var v = VaultEndpoints.VaultRoute;
        group.MapGet(v + "/backupconfig/vaultconfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db,
            Microsoft.Extensions.Options.IOptions<EmulatorOptions> options, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupconfig", "vaultconfig", new()
            {
                ["storageModelType"] = "GeoRedundant", ["storageType"] = "GeoRedundant", ["storageTypeState"] = "Locked",
                ["enhancedSecurityState"] = "Enabled", ["softDeleteFeatureState"] = options.Value.SoftDeleteRetentionDays > 0 ? "Enabled" : "Disabled",
                ["softDeleteRetentionPeriodInDays"] = options.Value.SoftDeleteRetentionDays,
            }, ct));
        group.MapGet(v + "/backupstorageconfig/vaultstorageconfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupstorageconfig", "vaultstorageconfig", new()
            {
                ["storageModelType"] = "GeoRedundant", ["storageType"] = "GeoRedundant", ["storageTypeState"] = "Locked", ["crossRegionRestoreFlag"] = false,
            }, ct));
        group.MapGet(v + "/backupEncryptionConfigs/backupResourceEncryptionConfig", (string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct) =>
            Config(db, subscriptionId, resourceGroupName, vaultName, "backupEncryptionConfigs", "backupResourceEncryptionConfig", new()
            {
                ["encryptionAtRestType"] = "MicrosoftManaged", ["infrastructureEncryptionState"] = "Disabled",
            }, ct));

        // Storage accounts exist on first use, like resource groups: all of them are the one blob endpoint the emulator uses.
        app.MapGet("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}",
            (string subscriptionId, string resourceGroupName, string accountName, BlobStorage storage) =>
                TypedResults.Ok(new StorageAccountResource(
                    $"{ArmIds.ResourceGroup(subscriptionId, resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/{accountName}", accountName,
                    "Microsoft.Storage/storageAccounts", "eastus", "StorageV2", new() { ["name"] = "Standard_LRS", ["tier"] = "Standard" },
                    new() { ["provisioningState"] = "Succeeded", ["primaryEndpoints"] = new Dictionary<string, string> { ["blob"] = storage.Service.Uri + "/" } })))
            .WithTags("Storage accounts");
    }

    private static async Task<IResult> Config(BackupDbContext db, string sub, string rg, string vaultName, string type, string name, Dictionary<string, object> properties, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, sub, rg, vaultName, ct);
        return TypedResults.Ok(new ConfigResource($"{VaultEndpoints.IdOf(vault)}/{type}/{name}", name, $"Microsoft.RecoveryServices/vaults/{type}", properties));
    }
}
