using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// The vault's configuration resources, views of the vault's own settings (one store, <see cref="VaultSettingsStore"/>):
/// <c>backupconfig/vaultconfig</c> (soft delete, what <c>az backup vault backup-properties set --soft-delete-feature-state</c>
/// PATCHes), and the encryption config. The storage config and replication settings are in
/// <see cref="VaultStorageConfigEndpoints"/>. Changes obey the same <see cref="VaultRules"/> as a vault PATCH.
/// </summary>
public static class VaultConfigEndpoints
{
    public sealed record ConfigResource(string Id, string Name, string Type, Dictionary<string, object> Properties);

    private static readonly JsonShape Ignored = Any;
    private static readonly JsonShape Storage = OneOf("LocallyRedundant", "GeoRedundant", "ZoneRedundant");

    private static readonly JsonShape VaultConfigBody = Obj(
        ("properties", Obj(
            ("softDeleteFeatureState", OneOf("Enabled", "Disabled", "AlwaysON")), ("enhancedSecurityState", OneOf("Enabled", "Disabled", "AlwaysON")),
            ("softDeleteRetentionPeriodInDays", Num), ("storageModelType", Storage), ("storageType", Storage),
            ("storageTypeState", Ignored), ("isSoftDeleteFeatureStateEditable", Ignored),
            // Read by the Resource Guard check of critical operations (multi-user authorization).
            ("resourceGuardOperationRequests", ArrayOf(Str)))),
        ("id", Ignored), ("name", Ignored), ("type", Ignored), ("location", Ignored), ("tags", Ignored), ("eTag", Ignored), ("etag", Ignored));

    public static void MapVaultConfig(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery Services vaults");
        var path = ArmRoutes.Vault + "/backupconfig/vaultconfig";
        group.MapGet(path, GetVaultConfig);
        group.MapPut(path, ChangeVaultConfig).InOneTransaction().WithSummary("Soft delete settings of the vault (the same settings as the vault's securitySettings).");
        group.MapPatch(path, ChangeVaultConfig).InOneTransaction().WithSummary("Change soft delete settings: members not sent keep their value.");
        group.MapGet(ArmRoutes.Vault + "/backupEncryptionConfigs/backupResourceEncryptionConfig", GetEncryptionConfig);
        app.MapVaultStorageConfig();
        app.MapStorageAccounts();
    }

    private static async Task<IResult> GetVaultConfig(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, VaultSettingsStore settings, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        return TypedResults.Ok(VaultConfig(vault, settings.Read(vault), await settings.HoldsItemsAsync(vault, ct)));
    }

    private static async Task<IResult> ChangeVaultConfig(string subscriptionId, string resourceGroupName, string vaultName, JsonNode? body,
        BackupDbContext db, VaultSettingsStore settings, CancellationToken ct)
    {
        var props = PropertiesOf(body, VaultConfigBody, "a backup resource vault config");
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var changed = await settings.ChangeAsync(vault, s =>
        {
            s.SoftDeleteState = VaultSettingsMapper.Enum(props["softDeleteFeatureState"], SoftDeleteStates.Enabled, SoftDeleteStates.Disabled, SoftDeleteStates.AlwaysOn) ?? s.SoftDeleteState;
            s.EnhancedSecurityState = VaultSettingsMapper.Enum(props["enhancedSecurityState"], "Enabled", "Disabled", SoftDeleteStates.AlwaysOn) ?? s.EnhancedSecurityState;
            if (props["softDeleteRetentionPeriodInDays"] is { } days) s.SoftDeleteRetentionPeriodInDays = VaultRules.RetentionDays(days);
            s.StandardTierStorageRedundancy = VaultSettingsMapper.Enum(props["storageModelType"] ?? props["storageType"], "LocallyRedundant", "GeoRedundant", "ZoneRedundant")
                ?? s.StandardTierStorageRedundancy;
        }, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(VaultConfig(vault, changed, await settings.HoldsItemsAsync(vault, ct)));
    }

    private static ConfigResource VaultConfig(Vault vault, VaultSettings s, bool holdsItems) =>
        Resource(vault, "backupconfig", "vaultconfig", new()
        {
            ["storageModelType"] = s.StandardTierStorageRedundancy, ["storageType"] = s.StandardTierStorageRedundancy,
            ["storageTypeState"] = holdsItems ? "Locked" : "Unlocked",
            // The vaultconfig enum has no AlwaysON for enhanced security: an always-on one reads as Enabled.
            ["enhancedSecurityState"] = s.EnhancedSecurityState == SoftDeleteStates.AlwaysOn ? "Enabled" : s.EnhancedSecurityState,
            ["softDeleteFeatureState"] = s.SoftDeleteState, ["softDeleteRetentionPeriodInDays"] = s.SoftDeleteRetentionPeriodInDays,
            ["isSoftDeleteFeatureStateEditable"] = s.SoftDeleteState != SoftDeleteStates.AlwaysOn,
        });

    private static async Task<IResult> GetEncryptionConfig(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, VaultSettingsStore settings, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var encryption = settings.Read(vault).Encryption;
        var properties = new Dictionary<string, object>
        {
            ["encryptionAtRestType"] = encryption?["keyVaultProperties"]?["keyUri"] is null ? "MicrosoftManaged" : "CustomerManaged",
            ["infrastructureEncryptionState"] = encryption?["infrastructureEncryption"]?.GetValue<string>() ?? "Disabled",
        };
        if (encryption?["keyVaultProperties"]?["keyUri"]?.GetValue<string>() is { } keyUri) properties["keyUri"] = keyUri;
        return TypedResults.Ok(Resource(vault, "backupEncryptionConfigs", "backupResourceEncryptionConfig", properties));
    }

    /// <summary>A config body's properties, after its shape is checked (400 naming an unknown member).</summary>
    public static JsonObject PropertiesOf(JsonNode? body, JsonShape shape, string what)
    {
        if (body is not JsonObject request) throw ArmException.BadRequest($"The request body must be a JSON object ({what}).");
        RequireReadable(request);
        shape.Check(request, "");
        return request["properties"] as JsonObject ?? throw ArmException.BadRequest("The request body must carry 'properties'.");
    }

    public static ConfigResource Resource(Vault vault, string type, string name, Dictionary<string, object> properties) =>
        new($"{ArmLookups.VaultId(vault)}/{type}/{name}", name, $"Microsoft.RecoveryServices/vaults/{type}", properties);
}
