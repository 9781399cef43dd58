using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// <c>backupstorageconfig/vaultstorageconfig</c>: the vault's storage redundancy and cross-region restore, the view az
/// 2.45's <c>backup-properties set --backup-storage-redundancy / --cross-region-restore-flag</c> PUTs (the same settings
/// as the vault's redundancySettings). GET and PUT answer the config, PATCH 204, as Azure's spec. Also
/// <c>replicationVaultSettings</c>, read as Azure answers a vault without Site Recovery (Terraform reads it on every refresh).
/// </summary>
public static class VaultStorageConfigEndpoints
{
    private static readonly JsonShape Ignored = Any;
    private static readonly JsonShape Storage = OneOf("LocallyRedundant", "GeoRedundant", "ZoneRedundant");

    private static readonly JsonShape Body = Obj(
        ("properties", Obj(("storageModelType", Storage), ("storageType", Storage), ("storageTypeState", Ignored), ("crossRegionRestoreFlag", Bool))),
        ("id", Ignored), ("name", Ignored), ("type", Ignored), ("location", Ignored), ("tags", Ignored), ("eTag", Ignored), ("etag", Ignored));

    public static void MapVaultStorageConfig(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        var path = ArmRoutes.Vault + "/backupstorageconfig/vaultstorageconfig";
        group.MapGet(path, Get);
        group.MapPut(path, async (string subscriptionId, string resourceGroupName, string vaultName, JsonNode? body, BackupDbContext db, VaultSettingsStore settings, CancellationToken ct) =>
            TypedResults.Ok(await ChangeAsync(subscriptionId, resourceGroupName, vaultName, body, db, settings, ct)))
            .InOneTransaction().WithSummary("Set storage redundancy (only while nothing is protected) and cross-region restore (GeoRedundant only, not reversible).");
        group.MapPatch(path, async (string subscriptionId, string resourceGroupName, string vaultName, JsonNode? body, BackupDbContext db, VaultSettingsStore settings, CancellationToken ct) =>
        {
            await ChangeAsync(subscriptionId, resourceGroupName, vaultName, body, db, settings, ct);
            return TypedResults.NoContent();
        }).InOneTransaction().WithSummary("Change storage redundancy or cross-region restore (204).");
        group.MapGet(ArmRoutes.Vault + "/replicationVaultSettings", ListReplicationSettings);
        group.MapGet(ArmRoutes.Vault + "/replicationVaultSettings/{settingName}", GetReplicationSetting);
    }

    private static async Task<IResult> Get(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, VaultSettingsStore settings, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        return TypedResults.Ok(StorageConfig(vault, settings.Read(vault), await settings.HoldsItemsAsync(vault, ct)));
    }

    private static async Task<VaultConfigEndpoints.ConfigResource> ChangeAsync(string sub, string rg, string vaultName, JsonNode? body,
        BackupDbContext db, VaultSettingsStore settings, CancellationToken ct)
    {
        var props = VaultConfigEndpoints.PropertiesOf(body, Body, "a backup resource storage config");
        var vault = await ArmLookups.FindVaultAsync(db, sub, rg, vaultName, ct);
        var changed = await settings.ChangeAsync(vault, s =>
        {
            s.StandardTierStorageRedundancy = VaultSettingsMapper.Enum(props["storageModelType"] ?? props["storageType"], "LocallyRedundant", "GeoRedundant", "ZoneRedundant")
                ?? s.StandardTierStorageRedundancy;
            if (props["crossRegionRestoreFlag"] is { } crr) s.CrossRegionRestore = crr.GetValue<bool>() ? "Enabled" : "Disabled";
        }, ct);
        await db.SaveChangesAsync(ct);
        return StorageConfig(vault, changed, await settings.HoldsItemsAsync(vault, ct));
    }

    private static VaultConfigEndpoints.ConfigResource StorageConfig(Vault vault, VaultSettings s, bool holdsItems) =>
        VaultConfigEndpoints.Resource(vault, "backupstorageconfig", "vaultstorageconfig", new()
        {
            ["storageModelType"] = s.StandardTierStorageRedundancy, ["storageType"] = s.StandardTierStorageRedundancy,
            ["storageTypeState"] = holdsItems ? "Locked" : "Unlocked", ["crossRegionRestoreFlag"] = s.CrossRegionRestore == "Enabled",
        });

    private static async Task<IResult> ListReplicationSettings(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        return TypedResults.Ok(new { value = new[] { ReplicationSetting(vault) } });
    }

    private static async Task<IResult> GetReplicationSetting(string subscriptionId, string resourceGroupName, string vaultName, string settingName,
        BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        if (!settingName.Equals("default", StringComparison.OrdinalIgnoreCase))
            throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/replicationVaultSettings/{settingName} (a vault has only 'default')");
        return TypedResults.Ok(ReplicationSetting(vault));
    }

    /// <summary>A vault Site Recovery never configured: no migration solution, no VMware provider type.</summary>
    private static VaultConfigEndpoints.ConfigResource ReplicationSetting(Vault vault) =>
        VaultConfigEndpoints.Resource(vault, "replicationVaultSettings", "default", []);
}
