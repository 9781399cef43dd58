using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Vaults;

/// <summary>
/// Every vault setting a client sends is kept and read back, PATCH merges, the vault, vaultconfig and vaultstorageconfig
/// are views of one store, and Azure's rules answer with Azure's codes (issue 18).
/// </summary>
public sealed class VaultSettingsTests
{
    private const string Uai = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1";

    internal static async Task<(HttpStatusCode Status, JsonNode? Body)> Send(EmulatorApp app, HttpMethod method, string path, string? json = null, string version = ArmTestClient.ApiVersion)
    {
        using var response = await app.Arm.SendAsync(method, path, json, version);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    internal static async Task<JsonNode> Ok(EmulatorApp app, HttpMethod method, string path, string json)
    {
        var (status, body) = await Send(app, method, path, json);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"{method} {path} answered {(int)status}: {body}");
        return body!;
    }

    internal static async Task Refused(EmulatorApp app, HttpMethod method, string path, string json, string code, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var (actual, body) = await Send(app, method, path, json);
        Assert.True(actual == status, $"{method} {path} {json} answered {(int)actual}: {body}");
        Assert.Equal(code, body!["error"]!["code"]!.GetValue<string>());
    }

    private static string NewRg(string what) => $"rg-vs-{what}-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Every_setting_sent_on_create_is_kept_and_PATCH_merges_member_by_member()
    {
        var app = await EmulatorApp.SharedAsync();
        var v = ArmTestClient.VaultPath(NewRg("all"), "vault1");
        var created = await Ok(app, HttpMethod.Put, v, """
            {"location":"eastus","sku":{"name":"RS0","tier":"Standard"},"tags":{"env":"test"},"identity":{"type":"SystemAssigned"},
             "properties":{"publicNetworkAccess":"Disabled",
              "securitySettings":{"softDeleteSettings":{"softDeleteState":"Enabled","softDeleteRetentionPeriodInDays":30,"enhancedSecurityState":"Enabled"},
                                  "immutabilitySettings":{"state":"unlocked"}},
              "redundancySettings":{"standardTierStorageRedundancy":"LocallyRedundant","crossRegionRestore":"Disabled"},
              "monitoringSettings":{"azureMonitorAlertSettings":{"alertsForAllJobFailures":"Disabled"},"classicAlertSettings":{"alertsForCriticalOperations":"Disabled"}},
              "restoreSettings":{"crossSubscriptionRestoreSettings":{"crossSubscriptionRestoreState":"Disabled"}},
              "encryption":{"infrastructureEncryption":"Enabled"}}}
            """);
        var p = created["properties"]!;
        Assert.Equal("RS0", created["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("Disabled", p["publicNetworkAccess"]!.GetValue<string>());
        Assert.Equal(30, p["securitySettings"]!["softDeleteSettings"]!["softDeleteRetentionPeriodInDays"]!.GetValue<int>());
        Assert.Equal("Unlocked", p["securitySettings"]!["immutabilitySettings"]!["state"]!.GetValue<string>());
        Assert.Equal("LocallyRedundant", p["redundancySettings"]!["standardTierStorageRedundancy"]!.GetValue<string>());
        Assert.Equal("Disabled", p["monitoringSettings"]!["azureMonitorAlertSettings"]!["alertsForAllJobFailures"]!.GetValue<string>());
        Assert.Equal("Enabled", p["monitoringSettings"]!["azureMonitorAlertSettings"]!["alertsForAllReplicationIssues"]!.GetValue<string>());
        Assert.Equal("Disabled", p["restoreSettings"]!["crossSubscriptionRestoreSettings"]!["crossSubscriptionRestoreState"]!.GetValue<string>());
        Assert.Equal("Enabled", p["encryption"]!["infrastructureEncryption"]!.GetValue<string>());
        var principal = created["identity"]!["principalId"]!.GetValue<string>();
        Assert.True(Guid.TryParse(principal, out _));
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", created["identity"]!["tenantId"]!.GetValue<string>());

        // PATCH one nested member: the rest stays; the system identity keeps its principal id, the user-assigned one gets its own.
        var patched = await Ok(app, HttpMethod.Patch, v,
            """{"tags":{"env":"prod"},"identity":{"type":"SystemAssigned, UserAssigned","userAssignedIdentities":{""" + $"\"{Uai}\"" + """:{}}},"""
            + """ "properties":{"securitySettings":{"immutabilitySettings":{"state":"Disabled"}}}}""");
        Assert.Equal("prod", patched["tags"]!["env"]!.GetValue<string>());
        Assert.Equal(principal, patched["identity"]!["principalId"]!.GetValue<string>());
        var uai = patched["identity"]!["userAssignedIdentities"]![Uai]!;
        Assert.True(Guid.TryParse(uai["clientId"]!.GetValue<string>(), out _));
        Assert.Equal("Disabled", patched["properties"]!["securitySettings"]!["immutabilitySettings"]!["state"]!.GetValue<string>());
        Assert.Equal(30, patched["properties"]!["securitySettings"]!["softDeleteSettings"]!["softDeleteRetentionPeriodInDays"]!.GetValue<int>());
        Assert.Equal("Disabled", patched["properties"]!["publicNetworkAccess"]!.GetValue<string>());

        // Terraform's no-change PATCH, then a read: nothing moved, ids stable.
        await Ok(app, HttpMethod.Patch, v, """{"properties":{}}""");
        var read = await app.Arm.GetAsync(v);
        Assert.Equal(uai["principalId"]!.GetValue<string>(), read["identity"]!["userAssignedIdentities"]![Uai]!["principalId"]!.GetValue<string>());
        Assert.Equal("LocallyRedundant", read["properties"]!["redundancySettings"]!["standardTierStorageRedundancy"]!.GetValue<string>());
        Assert.Equal("Disabled", read["properties"]!["monitoringSettings"]!["classicAlertSettings"]!["alertsForCriticalOperations"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_member_the_emulator_does_not_know_is_refused_naming_it_and_nothing_is_stored()
    {
        var app = await EmulatorApp.SharedAsync();
        var v = ArmTestClient.VaultPath(NewRg("unknown"), "vault1");
        var (status, body) = await Send(app, HttpMethod.Put, v, """{"location":"eastus","properties":{"securitySettings":{"sourceScanConfiguration":{"state":"Enabled"}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("properties.securitySettings.sourceScanConfiguration", body!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(app, HttpMethod.Get, v)).Status);
        await app.Arm.PutVaultAsync(v.Split('/')[4], "vault1");
        (status, body) = await Send(app, HttpMethod.Patch, v, """{"properties":{"redundancySettings":{"standardTierStorageRedundancy":"ReadAccessGeoZoneRedundant"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("properties.redundancySettings.standardTierStorageRedundancy", body!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Immutability_goes_Disabled_to_Unlocked_to_Locked_and_never_back()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("imm");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        const string code = "UserErrorUnsupportedVaultImmutabilityStateChange";
        await Refused(app, HttpMethod.Put, v, """{"location":"eastus","properties":{"securitySettings":{"immutabilitySettings":{"state":"Locked"}}}}""", code);
        await app.Arm.PutVaultAsync(rg, "vault1");
        static string State(string s) => $$$$$"""{"properties":{"securitySettings":{"immutabilitySettings":{"state":"{{{{{s}}}}}"}}}}""";
        await Refused(app, HttpMethod.Patch, v, State("Locked"), code);
        await Ok(app, HttpMethod.Patch, v, State("Unlocked"));
        await Ok(app, HttpMethod.Patch, v, State("Disabled"));
        await Ok(app, HttpMethod.Patch, v, State("Unlocked"));
        await Ok(app, HttpMethod.Patch, v, State("Locked"));
        await Refused(app, HttpMethod.Patch, v, State("Unlocked"), code);
        await Refused(app, HttpMethod.Patch, v, State("Disabled"), code);
        Assert.Equal("Locked", (await app.Arm.GetAsync(v))["properties"]!["securitySettings"]!["immutabilitySettings"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Soft_delete_settings_are_one_store_seen_through_the_vault_and_vaultconfig_and_AlwaysON_is_for_ever()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("sd");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault1");
        var config = await Ok(app, HttpMethod.Patch, v + "/backupconfig/vaultconfig",
            """{"properties":{"softDeleteFeatureState":"Disabled","enhancedSecurityState":"Enabled"}}""");
        Assert.Equal("Disabled", config["properties"]!["softDeleteFeatureState"]!.GetValue<string>());
        var soft = (await app.Arm.GetAsync(v))["properties"]!["securitySettings"]!["softDeleteSettings"]!;
        Assert.Equal("Disabled", soft["softDeleteState"]!.GetValue<string>());

        await Ok(app, HttpMethod.Patch, v, """{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteState":"Enabled","softDeleteRetentionPeriodInDays":60}}}}""");
        config = await app.Arm.GetAsync(v + "/backupconfig/vaultconfig");
        Assert.Equal("Enabled", config["properties"]!["softDeleteFeatureState"]!.GetValue<string>());
        Assert.Equal(60, config["properties"]!["softDeleteRetentionPeriodInDays"]!.GetValue<int>());

        await Refused(app, HttpMethod.Patch, v + "/backupconfig/vaultconfig", """{"properties":{"softDeleteRetentionPeriodInDays":181}}""", "BMSUserErrorInvalidInput");
        await Refused(app, HttpMethod.Patch, v, """{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteRetentionPeriodInDays":13}}}}""", "BMSUserErrorInvalidInput");
        await Ok(app, HttpMethod.Put, v + "/backupconfig/vaultconfig", """{"properties":{"softDeleteFeatureState":"AlwaysON","enhancedSecurityState":"Enabled"}}""");
        await Refused(app, HttpMethod.Patch, v + "/backupconfig/vaultconfig", """{"properties":{"softDeleteFeatureState":"Disabled"}}""", "BMSUserErrorSoftDeleteStateAlwaysOn");
        await Refused(app, HttpMethod.Patch, v, """{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteState":"Enabled"}}}}""", "BMSUserErrorSoftDeleteStateAlwaysOn");
        Assert.Equal("AlwaysON", (await app.Arm.GetAsync(v))["properties"]!["securitySettings"]!["softDeleteSettings"]!["softDeleteState"]!.GetValue<string>());
        Assert.False((await app.Arm.GetAsync(v + "/backupconfig/vaultconfig"))["properties"]!["isSoftDeleteFeatureStateEditable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Redundancy_and_cross_region_restore_follow_Azures_rules_through_the_vault_and_the_storage_config()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("red");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault1");
        const string crr = "BMSUserErrorUnableToEnableCrossRegionRestore";
        var storage = v + "/backupstorageconfig/vaultstorageconfig";
        var put = await Ok(app, HttpMethod.Put, storage, """{"properties":{"storageModelType":"LocallyRedundant","crossRegionRestoreFlag":false}}""");
        Assert.Equal("LocallyRedundant", put["properties"]!["storageType"]!.GetValue<string>());
        Assert.Equal("LocallyRedundant", (await app.Arm.GetAsync(v))["properties"]!["redundancySettings"]!["standardTierStorageRedundancy"]!.GetValue<string>());
        await Refused(app, HttpMethod.Patch, v, """{"properties":{"redundancySettings":{"crossRegionRestore":"Enabled"}}}""", crr);
        await Refused(app, HttpMethod.Put, storage, """{"properties":{"crossRegionRestoreFlag":true}}""", crr);
        var (status, _) = await Send(app, HttpMethod.Patch, storage, """{"properties":{"storageModelType":"GeoRedundant","crossRegionRestoreFlag":true}}""");
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("Enabled", (await app.Arm.GetAsync(v))["properties"]!["redundancySettings"]!["crossRegionRestore"]!.GetValue<string>());
        await Refused(app, HttpMethod.Patch, v, """{"properties":{"redundancySettings":{"crossRegionRestore":"Disabled"}}}""", crr);

        // Once something is protected, the redundancy is locked.
        await app.Arm.PutVmAsync(rg, "vmred");
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmred")) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        Assert.Equal("Locked", (await app.Arm.GetAsync(storage))["properties"]!["storageTypeState"]!.GetValue<string>());
        await Refused(app, HttpMethod.Patch, v, """{"properties":{"redundancySettings":{"standardTierStorageRedundancy":"ZoneRedundant","crossRegionRestore":"Enabled"}}}""", "StorageModelModifyError");
        await Refused(app, HttpMethod.Put, storage, """{"properties":{"storageModelType":"LocallyRedundant","crossRegionRestoreFlag":true}}""", "StorageModelModifyError");
        // Re-sending the same redundancy is no change, so it is accepted.
        await Ok(app, HttpMethod.Put, storage, """{"properties":{"storageModelType":"GeoRedundant","crossRegionRestoreFlag":true}}""");
    }

    [Fact]
    public async Task Replication_vault_settings_read_as_a_vault_without_Site_Recovery()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg("asr");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        await app.Arm.PutVaultAsync(rg, "vault1");
        var setting = await app.Arm.GetAsync(v + "/replicationVaultSettings/default", "2024-04-01");
        Assert.Equal(v + "/replicationVaultSettings/default", setting["id"]!.GetValue<string>());
        Assert.Empty(setting["properties"]!.AsObject());
        Assert.Single((await app.Arm.GetAsync(v + "/replicationVaultSettings", "2024-04-01"))["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(app, HttpMethod.Get, v + "/replicationVaultSettings/other", version: "2024-04-01")).Status);
    }
}
