using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// What a vault PUT or PATCH may carry (Azure's Vault / PatchVault, vaults.json 2025-02-01): every writable setting the
/// emulator keeps, plus the read-only members clients echo from a GET (accepted, not kept, as ARM does). Anything else
/// answers 400 naming it.
/// </summary>
public static class VaultSettingsShape
{
    private static readonly JsonShape OnOff = OneOf("Enabled", "Disabled");
    private static readonly JsonShape ReadOnly = Any;

    public static readonly JsonShape Properties = Obj(
        ("publicNetworkAccess", OnOff),
        ("securitySettings", Obj(
            ("immutabilitySettings", Obj(("state", OneOf("Disabled", "Unlocked", "Locked")))),
            ("softDeleteSettings", Obj(
                ("softDeleteState", OneOf("Enabled", "Disabled", "AlwaysON")),
                ("softDeleteRetentionPeriodInDays", Num),
                ("enhancedSecurityState", OneOf("Enabled", "Disabled", "AlwaysON")))),
            ("multiUserAuthorization", ReadOnly))),
        ("redundancySettings", Obj(
            ("standardTierStorageRedundancy", OneOf("LocallyRedundant", "GeoRedundant", "ZoneRedundant")),
            ("crossRegionRestore", OnOff))),
        ("monitoringSettings", Obj(
            ("azureMonitorAlertSettings", Obj(("alertsForAllJobFailures", OnOff), ("alertsForAllReplicationIssues", OnOff), ("alertsForAllFailoverIssues", OnOff))),
            ("classicAlertSettings", Obj(("alertsForCriticalOperations", OnOff), ("emailNotificationsForSiteRecovery", OnOff))))),
        ("restoreSettings", Obj(("crossSubscriptionRestoreSettings", Obj(("crossSubscriptionRestoreState", OneOf("Enabled", "Disabled", "PermanentlyDisabled")))))),
        ("encryption", Obj(
            ("keyVaultProperties", Obj(("keyUri", Str))),
            ("kekIdentity", Obj(("userAssignedIdentity", Str), ("useSystemAssignedIdentity", Bool))),
            ("infrastructureEncryption", OnOff))),
        // Read by the Resource Guard check of critical operations (multi-user authorization).
        ("resourceGuardOperationRequests", ArrayOf(Str)),
        ("provisioningState", ReadOnly), ("privateEndpointConnections", ReadOnly), ("privateEndpointStateForBackup", ReadOnly),
        ("privateEndpointStateForSiteRecovery", ReadOnly), ("moveState", ReadOnly), ("backupStorageVersion", ReadOnly),
        ("secureScore", ReadOnly), ("bcdrSecurityLevel", ReadOnly), ("costManagementSettings", ReadOnly), ("regionOfChoiceSettings", ReadOnly));

    public static readonly JsonShape Identity = Obj(
        ("type", OneOf("None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "SystemAssigned,UserAssigned")),
        ("userAssignedIdentities", MapOf(Any)),
        ("principalId", ReadOnly), ("tenantId", ReadOnly));

    /// <summary>The whole body of a vault PUT or PATCH.</summary>
    public static readonly JsonShape Body = Obj(
        ("location", Str), ("tags", Tags), ("etag", ReadOnly),
        ("sku", Obj(("name", OneOf("Standard", "RS0")), ("tier", Str), ("family", ReadOnly), ("size", ReadOnly), ("capacity", ReadOnly))),
        ("identity", Identity), ("properties", Properties),
        ("id", ReadOnly), ("name", ReadOnly), ("type", ReadOnly), ("systemData", ReadOnly));

    /// <summary>Reads a vault body: 400 for a body that is not an object or has a member the emulator does not know.</summary>
    public static JsonObject Check(JsonNode? body)
    {
        if (body is not JsonObject obj) throw ArmException.BadRequest("The request body must be a JSON object (a Recovery Services vault).");
        RequireReadable(obj);
        Body.Check(obj, "");
        return obj;
    }
}
