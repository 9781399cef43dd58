using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>
/// An immutable vault (immutability Unlocked or Locked) refuses a policy change that reduces retention: points already
/// taken would expire before their time. "Reduced" as the az CLI's <c>is_retention_duration_decreased</c> reads it
/// (azure-vault-security-iac.md §3.2): fewer instant-restore days, or a daily/weekly/monthly/yearly retention that
/// disappears or keeps a smaller count. Azure's code for it is not documented; the item-level immutability code is used.
/// </summary>
public static class ImmutableRetention
{
    public static void Check(VaultSettings vault, BackupPolicy before, PolicyValidator.Valid after)
    {
        if (!vault.Immutable) return;
        var old = RetentionRules.Retention(before);
        var reduced = new List<string>();
        if (after.InstantRpDays < before.InstantRpRetentionRangeInDays) reduced.Add($"instantRpRetentionRangeInDays {before.InstantRpRetentionRangeInDays} → {after.InstantRpDays}");
        Compare("daily", old.DailySchedule?.RetentionDuration, after.Retention.DailySchedule?.RetentionDuration, reduced);
        Compare("weekly", old.WeeklySchedule?.RetentionDuration, after.Retention.WeeklySchedule?.RetentionDuration, reduced);
        Compare("monthly", old.MonthlySchedule?.RetentionDuration, after.Retention.MonthlySchedule?.RetentionDuration, reduced);
        Compare("yearly", old.YearlySchedule?.RetentionDuration, after.Retention.YearlySchedule?.RetentionDuration, reduced);
        if (reduced.Count > 0)
            throw ArmException.BadRequest(
                $"The vault is immutable (immutability {vault.ImmutabilityState}): a policy's retention cannot be reduced ({string.Join("; ", reduced)}). "
                + "The Vault and Backup Item is immutable, hence operation is denied. Refer to the documentation to learn more: https://aka.ms/AB-ImmutableVaults-States",
                "UserErrorOperationDeniedOnImmutableItem");
    }

    private static void Compare(string name, RetentionDuration? before, RetentionDuration? after, List<string> reduced)
    {
        if (before?.Count is not { } was) return;
        if (after?.Count is not { } now) reduced.Add($"the {name} retention is removed");
        else if (now < was) reduced.Add($"{name} retention {was} → {now}");
    }
}
