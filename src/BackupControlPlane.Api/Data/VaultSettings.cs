using System.Text.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// A vault's settings, one store for every view of them: the vault's own properties (Microsoft.RecoveryServices
/// vaults), <c>backupconfig/vaultconfig</c> and <c>backupstorageconfig/vaultstorageconfig</c>. Kept as JSON on the vault
/// row; the slices that act on them (protection, policies) read them through <see cref="Of"/>.
/// Values are Azure's enum spellings (<c>AlwaysON</c>, <c>GeoRedundant</c>…).
/// </summary>
public sealed class VaultSettings
{
    public string PublicNetworkAccess { get; set; } = "Enabled";
    public string SoftDeleteState { get; set; } = SoftDeleteStates.Enabled;
    public int SoftDeleteRetentionPeriodInDays { get; set; } = 14;
    public string EnhancedSecurityState { get; set; } = "Enabled";
    public string ImmutabilityState { get; set; } = ImmutabilityStates.Disabled;
    public string StandardTierStorageRedundancy { get; set; } = "GeoRedundant";
    public string CrossRegionRestore { get; set; } = "Disabled";
    public string CrossSubscriptionRestoreState { get; set; } = "Enabled";
    /// <summary>monitoringSettings as Azure shows them (alert switches the emulator keeps and returns).</summary>
    public JsonObject MonitoringSettings { get; set; } = DefaultMonitoring();
    /// <summary>The encryption object as sent (customer-managed key, KEK identity, infrastructure encryption), or null.</summary>
    public JsonObject? Encryption { get; set; }
    /// <summary>The identity as shown: type, principalId/tenantId of the system-assigned one, userAssignedIdentities with their ids.</summary>
    public JsonObject? Identity { get; set; }

    /// <summary>Soft delete is on (Enabled or AlwaysON): deleted backup data waits its retention days.</summary>
    public bool SoftDeleteOn => SoftDeleteState != SoftDeleteStates.Disabled;

    /// <summary>Immutability Unlocked or Locked: operations that delete recovery points before their expiry are refused.</summary>
    public bool Immutable => ImmutabilityState != ImmutabilityStates.Disabled;

    public static JsonObject DefaultMonitoring() => new()
    {
        ["azureMonitorAlertSettings"] = new JsonObject
        {
            ["alertsForAllJobFailures"] = "Enabled", ["alertsForAllReplicationIssues"] = "Enabled", ["alertsForAllFailoverIssues"] = "Enabled",
        },
        ["classicAlertSettings"] = new JsonObject { ["alertsForCriticalOperations"] = "Enabled", ["emailNotificationsForSiteRecovery"] = "Enabled" },
    };

    /// <summary>A new vault's settings: soft delete on for <c>Emulator:SoftDeleteRetentionDays</c> (14–180, checked on start), off with 0.</summary>
    public static VaultSettings Defaults(int softDeleteDays) => softDeleteDays > 0
        ? new VaultSettings { SoftDeleteRetentionPeriodInDays = softDeleteDays }
        : new VaultSettings { SoftDeleteState = SoftDeleteStates.Disabled };

    /// <summary>The vault's settings; <paramref name="defaultSoftDeleteDays"/> for a vault made before settings were kept.</summary>
    public static VaultSettings Of(Vault vault, int defaultSoftDeleteDays) =>
        vault.SettingsJson is { } json ? JsonSerializer.Deserialize<VaultSettings>(json, Json)! : Defaults(defaultSoftDeleteDays);

    public void SaveTo(Vault vault) => vault.SettingsJson = JsonSerializer.Serialize(this, Json);

    public VaultSettings Clone() => JsonSerializer.Deserialize<VaultSettings>(JsonSerializer.Serialize(this, Json), Json)!;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public static class SoftDeleteStates
{
    public const string Enabled = "Enabled";
    public const string Disabled = "Disabled";
    public const string AlwaysOn = "AlwaysON";
}

public static class ImmutabilityStates
{
    public const string Disabled = "Disabled";
    public const string Unlocked = "Unlocked";
    public const string Locked = "Locked";
}
