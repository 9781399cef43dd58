using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// The rules Azure enforces on a change of vault settings, whichever view (vault, vaultconfig, vaultstorageconfig) the
/// change comes through, with Azure's error codes (azure-vault-security-iac.md §2, §3, §9). Checked on the merged
/// result against the stored settings before anything is written.
/// </summary>
public static class VaultRules
{
    public const string ImmutabilityChange = "UserErrorUnsupportedVaultImmutabilityStateChange";
    public const string SoftDeleteAlwaysOn = "BMSUserErrorSoftDeleteStateAlwaysOn";
    public const string StorageModelModify = "StorageModelModifyError";
    public const string CrossRegionRestore = "BMSUserErrorUnableToEnableCrossRegionRestore";
    public const string InvalidInput = "BMSUserErrorInvalidInput";

    /// <param name="before">The stored settings, or null when the vault is being created.</param>
    /// <param name="holdsItems">The vault has (or had, soft-deleted) a protected item: its storage redundancy is locked.</param>
    public static void Check(VaultSettings? before, VaultSettings after, bool holdsItems)
    {
        CheckImmutability(before?.ImmutabilityState, after.ImmutabilityState);
        if (before is not null)
        {
            if (before.SoftDeleteState == SoftDeleteStates.AlwaysOn && after.SoftDeleteState != SoftDeleteStates.AlwaysOn)
                throw ArmException.BadRequest("Soft delete is always on (AlwaysON) for this vault: it cannot be turned off or changed. AlwaysON is irreversible.", SoftDeleteAlwaysOn);
            if (before.EnhancedSecurityState == SoftDeleteStates.AlwaysOn && after.EnhancedSecurityState != SoftDeleteStates.AlwaysOn)
                throw ArmException.BadRequest("Enhanced security is always on (AlwaysON) for this vault: it cannot be turned off or changed.", SoftDeleteAlwaysOn);
            if (holdsItems && !before.StandardTierStorageRedundancy.Equals(after.StandardTierStorageRedundancy, StringComparison.Ordinal))
                throw ArmException.BadRequest("Storage Redundancy option is locked when the first machine is registered with the vault, and cannot be modified thereafter.", StorageModelModify);
            if (before.CrossRegionRestore == "Enabled" && after.CrossRegionRestore != "Enabled")
                throw ArmException.BadRequest("Cross Region Restore is currently a non-reversible storage property. You can not disable it once enabled.", CrossRegionRestore);
        }
        if (after.CrossRegionRestore == "Enabled" && after.StandardTierStorageRedundancy != "GeoRedundant")
            throw ArmException.BadRequest(
                $"Cross Region Restore can be enabled only on a geo-redundant vault; this vault's storage redundancy is {after.StandardTierStorageRedundancy}.", CrossRegionRestore);
    }

    /// <summary>Allowed: Disabled ↔ Unlocked → Locked. Locked is never left, and not reached at creation or straight from Disabled.</summary>
    private static void CheckImmutability(string? before, string after)
    {
        if (before == after) return;
        var allowed = (before, after) switch
        {
            (ImmutabilityStates.Locked, _) => false,
            (null or ImmutabilityStates.Disabled, ImmutabilityStates.Locked) => false,
            _ => true,
        };
        if (!allowed)
            throw ArmException.BadRequest(
                "The immutable vault property for this vault is locked, hence, this setting cannot be disabled. The vault has its immutable vault property enabled and locked, "
                + "and it can no longer be reverted to a non-immutable vault. Refer to the documentation to learn more: https://aka.ms/AB-ImmutableVaults-States"
                + (before == ImmutabilityStates.Locked ? "" : $" (the state can become Locked only from Unlocked; it is {before ?? "being created"}).")
                , ImmutabilityChange);
    }

    /// <summary>Soft-delete retention: a whole number of days from 14 to 180.</summary>
    public static int RetentionDays(JsonNode days)
    {
        if (days.GetValueKind() == JsonValueKind.Number && days.AsValue().TryGetValue<int>(out var n) && n is >= 14 and <= 180) return n;
        throw ArmException.BadRequest($"softDeleteRetentionPeriodInDays must be a whole number of days from 14 to 180, not {days.ToJsonString()}.", InvalidInput);
    }
}
