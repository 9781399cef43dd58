using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Vault properties in and out: a PUT or PATCH body's settings merged member by member into the stored
/// <see cref="VaultSettings"/> (a member not sent keeps its value, as Azure's PATCH does), and the stored settings
/// rendered as the vault's properties. Enum values are stored in Azure's spelling whatever case was sent.
/// </summary>
public static class VaultSettingsMapper
{
    /// <summary>Merges the (already shape-checked) <paramref name="properties"/> into <paramref name="s"/>.</summary>
    public static void Merge(VaultSettings s, JsonObject? properties)
    {
        if (properties is null) return;
        s.PublicNetworkAccess = Enum(properties["publicNetworkAccess"], "Enabled", "Disabled") ?? s.PublicNetworkAccess;
        if (properties["securitySettings"] is JsonObject security)
        {
            if (security["immutabilitySettings"] is JsonObject immutability)
                s.ImmutabilityState = Enum(immutability["state"], ImmutabilityStates.Disabled, ImmutabilityStates.Unlocked, ImmutabilityStates.Locked) ?? s.ImmutabilityState;
            if (security["softDeleteSettings"] is JsonObject softDelete)
            {
                s.SoftDeleteState = Enum(softDelete["softDeleteState"], SoftDeleteStates.Enabled, SoftDeleteStates.Disabled, SoftDeleteStates.AlwaysOn) ?? s.SoftDeleteState;
                s.EnhancedSecurityState = Enum(softDelete["enhancedSecurityState"], "Enabled", "Disabled", SoftDeleteStates.AlwaysOn) ?? s.EnhancedSecurityState;
                if (softDelete["softDeleteRetentionPeriodInDays"] is JsonValue days) s.SoftDeleteRetentionPeriodInDays = VaultRules.RetentionDays(days);
            }
        }
        if (properties["redundancySettings"] is JsonObject redundancy)
        {
            s.StandardTierStorageRedundancy = Enum(redundancy["standardTierStorageRedundancy"], "LocallyRedundant", "GeoRedundant", "ZoneRedundant") ?? s.StandardTierStorageRedundancy;
            s.CrossRegionRestore = Enum(redundancy["crossRegionRestore"], "Enabled", "Disabled") ?? s.CrossRegionRestore;
        }
        if (properties["monitoringSettings"] is JsonObject monitoring) MergeObject(s.MonitoringSettings, monitoring);
        if (properties["restoreSettings"]?["crossSubscriptionRestoreSettings"]?["crossSubscriptionRestoreState"] is { } crossSub)
            s.CrossSubscriptionRestoreState = Enum(crossSub, "Enabled", "Disabled", "PermanentlyDisabled")!;
        if (properties["encryption"] is JsonObject encryption)
        {
            s.Encryption ??= [];
            MergeObject(s.Encryption, encryption);
        }
    }

    /// <summary>The settings as the vault's <c>properties</c>.</summary>
    public static VaultProperties ToProperties(VaultSettings s, bool guarded) => new(
        "Succeeded", s.PublicNetworkAccess, "None", "None",
        new JsonObject { ["standardTierStorageRedundancy"] = s.StandardTierStorageRedundancy, ["crossRegionRestore"] = s.CrossRegionRestore },
        new JsonObject
        {
            ["softDeleteSettings"] = new JsonObject
            {
                ["softDeleteState"] = s.SoftDeleteState, ["softDeleteRetentionPeriodInDays"] = s.SoftDeleteRetentionPeriodInDays,
                ["enhancedSecurityState"] = s.EnhancedSecurityState,
            },
            ["immutabilitySettings"] = new JsonObject { ["state"] = s.ImmutabilityState },
            ["multiUserAuthorization"] = guarded ? "Enabled" : "Disabled",
        },
        (JsonObject)s.MonitoringSettings.DeepClone(),
        new JsonObject { ["crossSubscriptionRestoreSettings"] = new JsonObject { ["crossSubscriptionRestoreState"] = s.CrossSubscriptionRestoreState } },
        s.Encryption?.DeepClone() as JsonObject,
        SecureScore(s, guarded), BcdrSecurityLevel(s, guarded), "Unassigned");

    /// <summary>
    /// Azure's security levels: soft delete on is the minimum; always-on soft delete with immutability is adequate
    /// and multi-user authorization on top makes it maximum.
    /// </summary>
    private static string SecureScore(VaultSettings s, bool guarded) =>
        !s.SoftDeleteOn ? "None" : s.SoftDeleteState == SoftDeleteStates.AlwaysOn && s.Immutable ? guarded ? "Maximum" : "Adequate" : "Minimum";

    private static string BcdrSecurityLevel(VaultSettings s, bool guarded) =>
        !s.SoftDeleteOn ? "Poor" : s.SoftDeleteState == SoftDeleteStates.AlwaysOn && s.Immutable ? guarded ? "Excellent" : "Good" : "Fair";

    /// <summary>A sent enum value in Azure's spelling (values are case-insensitive, as the shape check accepted them); null when absent.</summary>
    public static string? Enum(JsonNode? node, params string[] values) =>
        node is null ? null : values.First(v => v.Equals(node.GetValue<string>(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Member-by-member merge; a JSON null removes the member, as ARM's PATCH reads it.</summary>
    private static void MergeObject(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            var existing = target.FirstOrDefault(m => m.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Key ?? name;
            if (value is null) target.Remove(existing);
            else if (value is JsonObject inner && target[existing] is JsonObject current) MergeObject(current, inner);
            else target[existing] = value.DeepClone();
        }
    }
}
