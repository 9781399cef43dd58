using System.Globalization;
using BackupControlPlane.Api.Arm;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>Azure's rules for IaaS VM policies (SimpleSchedulePolicy + LongTermRetentionPolicy).</summary>
public static class PolicyValidator
{
    public const string ErrorCode = "BMSUserErrorInvalidPolicyInput";

    private static readonly string[] Days = Enum.GetNames<DayOfWeek>();

    /// <param name="Enhanced">Set for an Enhanced (V2) policy: its schedule as stored and returned, and its snapshotConsistencyType.</param>
    public sealed record Valid(string Frequency, List<string> RunTimes, List<string> RunDays, string TimeZone, int InstantRpDays, LongTermRetentionPolicy Retention, int DailyDays,
        Enhanced? Enhanced = null);

    public sealed record Enhanced(SchedulePolicy Schedule, string? SnapshotConsistencyType);

    public static Valid Validate(PolicyProperties? p)
    {
        if (p is null) throw Bad("The request body must carry 'properties'.");
        if (p.BackupManagementType is { } type && !type.Equals("AzureIaasVM", StringComparison.OrdinalIgnoreCase))
            throw Bad($"backupManagementType '{type}' is not supported by the emulator: use 'AzureIaasVM'.");
        // Terraform's instant_restore_resource_group and the portal send it; the emulator keeps snapshots beside the disks.
        if (p.InstantRpDetails is { } rg && (rg.AzureBackupRgNamePrefix is { Length: > 0 } || rg.AzureBackupRgNameSuffix is { Length: > 0 }))
            throw Bad("properties.instantRPDetails (a resource group for instant-restore snapshots) is not emulated: snapshots stay with the VM's disks; leave it out.");
        var enhanced = EnhancedPolicyRules.IsEnhanced(p.PolicyType);
        var consistency = EnhancedPolicyRules.SnapshotConsistency(p.SnapshotConsistencyType, enhanced);
        var s = p.SchedulePolicy ?? throw Bad("properties.schedulePolicy is required.");
        var v2 = enhanced ? EnhancedPolicyRules.Validate(s) : null;
        var (frequency, runTimes, runDays) = v2 is null ? Standard(s) : (v2.Frequency, v2.RunTimes, v2.RunDays);

        var zone = p.TimeZone ?? "UTC";
        try
        {
            if (!zone.Equals("UTC", StringComparison.OrdinalIgnoreCase)) TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (TimeZoneNotFoundException)
        {
            throw Bad($"timeZone '{zone}' is not a known time zone: use a Windows id such as 'Pacific Standard Time' (or an IANA id).");
        }

        var instant = v2 is not null ? EnhancedPolicyRules.InstantRpDays(p.InstantRpRetentionRangeInDays, v2) : p.InstantRpRetentionRangeInDays ?? (frequency == "Weekly" ? 5 : 2);
        if (v2 is null && instant is < 1 or > 5) throw Bad($"instantRpRetentionRangeInDays must be 1 to 5, not {instant}.");
        if (v2 is null && frequency == "Weekly" && instant != 5) throw Bad("instantRpRetentionRangeInDays is fixed at 5 for weekly policies.");

        var r = p.RetentionPolicy ?? throw Bad("properties.retentionPolicy is required.");
        if (!string.Equals(r.RetentionPolicyType, "LongTermRetentionPolicy", StringComparison.OrdinalIgnoreCase))
            throw Bad($"retentionPolicyType '{r.RetentionPolicyType}' is not supported: use 'LongTermRetentionPolicy'.");
        if (frequency != "Weekly" && r.DailySchedule is null) throw Bad($"A {frequency.ToLowerInvariant()} schedule needs a dailySchedule retention.");
        if (frequency == "Weekly" && r.DailySchedule is not null) throw Bad("A weekly schedule cannot have a dailySchedule retention.");
        if (frequency == "Weekly" && r.WeeklySchedule is null) throw Bad("A weekly schedule needs a weeklySchedule retention.");
        var daily = r.DailySchedule is { } d ? Duration(d.RetentionDuration, "dailySchedule", "Days", 1, 9999) : 0;
        if (r.WeeklySchedule is { } w)
        {
            Duration(w.RetentionDuration, "weeklySchedule", "Weeks", 1, 5163);
            var days = (w.DaysOfTheWeek ?? []).Select(x => Day(x, "weeklySchedule.daysOfTheWeek")).ToList();
            if (days.Count == 0) throw Bad("weeklySchedule.daysOfTheWeek needs at least one day.");
            if (frequency == "Weekly" && days.Except(runDays).Any()) throw Bad("weeklySchedule.daysOfTheWeek must be among the schedule's run days.");
        }
        if (r.MonthlySchedule is { } m)
        {
            Duration(m.RetentionDuration, "monthlySchedule", "Months", 1, 1188);
            Format(m.RetentionScheduleFormatType, m.RetentionScheduleDaily, m.RetentionScheduleWeekly, "monthlySchedule");
        }
        if (r.YearlySchedule is { } y)
        {
            Duration(y.RetentionDuration, "yearlySchedule", "Years", 1, 99);
            Format(y.RetentionScheduleFormatType, y.RetentionScheduleDaily, y.RetentionScheduleWeekly, "yearlySchedule");
            if (y.MonthsOfYear is not { Count: > 0 } || y.MonthsOfYear.Any(x => !RetentionRules.Months.Contains(x, StringComparer.OrdinalIgnoreCase)))
                throw Bad("yearlySchedule.monthsOfYear needs month names such as 'January'.");
        }
        return new Valid(frequency, runTimes, runDays, zone, instant, r, daily, v2 is null ? null : new Enhanced(v2.Normalized, consistency));
    }

    /// <summary>A standard policy's SimpleSchedulePolicy: one run time, daily or on the weekly run days.</summary>
    private static (string Frequency, List<string> RunTimes, List<string> RunDays) Standard(SchedulePolicy s)
    {
        EnhancedPolicyRules.RefuseOnStandard(s);
        if (!string.Equals(s.SchedulePolicyType, "SimpleSchedulePolicy", StringComparison.OrdinalIgnoreCase))
            throw Bad($"schedulePolicyType '{s.SchedulePolicyType}' is not supported: use 'SimpleSchedulePolicy'.");
        var frequency = s.ScheduleRunFrequency switch
        {
            var f when string.Equals(f, "Daily", StringComparison.OrdinalIgnoreCase) => "Daily",
            var f when string.Equals(f, "Weekly", StringComparison.OrdinalIgnoreCase) => "Weekly",
            var f => throw Bad($"scheduleRunFrequency '{f}' is invalid: use 'Daily' or 'Weekly'."),
        };
        if (s.ScheduleRunTimes is not { Count: 1 }) throw Bad("A standard policy runs once a day: give exactly one scheduleRunTimes entry.");
        var runTime = ParseTime(s.ScheduleRunTimes[0], "scheduleRunTimes");
        if (runTime.Minute is not (0 or 30) || runTime.Second != 0)
            throw Bad($"The schedule run time {runTime:HH:mm:ss} is invalid: backups start on the hour or the half hour.");
        var runDays = (s.ScheduleRunDays ?? []).Select(d => Day(d, "scheduleRunDays")).Distinct().ToList();
        if (frequency == "Weekly" && runDays.Count == 0) throw Bad("A weekly schedule needs at least one scheduleRunDays entry.");
        if (frequency == "Daily") runDays = [];
        return (frequency, [s.ScheduleRunTimes[0]], runDays);
    }

    private static void Format(string? type, DailyRetentionFormat? daily, WeeklyRetentionFormat? weekly, string where)
    {
        if (string.Equals(type, "Daily", StringComparison.OrdinalIgnoreCase))
        {
            if (daily?.DaysOfTheMonth is not { Count: > 0 } days || days.Any(x => x.IsLast != true && x.Date is not (>= 1 and <= 28)))
                throw Bad($"{where}.retentionScheduleDaily.daysOfTheMonth needs dates 1-28 or isLast.");
            return;
        }
        if (!string.Equals(type, "Weekly", StringComparison.OrdinalIgnoreCase)) throw Bad($"{where}.retentionScheduleFormatType must be 'Daily' or 'Weekly'.");
        if (weekly?.DaysOfTheWeek is not { Count: > 0 } || weekly.WeeksOfTheMonth is not { Count: > 0 })
            throw Bad($"{where}.retentionScheduleWeekly needs daysOfTheWeek and weeksOfTheMonth.");
        foreach (var x in weekly.DaysOfTheWeek) Day(x, where + ".retentionScheduleWeekly.daysOfTheWeek");
        if (weekly.WeeksOfTheMonth.Any(x => !RetentionRules.WeeksOfTheMonth.Contains(x, StringComparer.OrdinalIgnoreCase)))
            throw Bad($"{where}.retentionScheduleWeekly.weeksOfTheMonth takes First, Second, Third, Fourth or Last.");
    }

    private static int Duration(RetentionDuration? d, string where, string unit, int min, int max)
    {
        if (d?.Count is not { } count || !string.Equals(d.DurationType, unit, StringComparison.OrdinalIgnoreCase))
            throw Bad($"{where}.retentionDuration needs a count and durationType '{unit}'.");
        if (count < min || count > max) throw Bad($"{where} keeps points {min} to {max} {unit.ToLowerInvariant()}, not {count}.");
        return count;
    }

    internal static string Day(string value, string where) =>
        Days.FirstOrDefault(d => d.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw Bad($"'{value}' in {where} is not a day of the week.");

    internal static DateTimeOffset ParseTime(string value, string where) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : throw Bad($"'{value}' in {where} is not a timestamp such as '2018-01-24T10:00:00Z'.");

    internal static ArmException Bad(string message) => ArmException.BadRequest(message, ErrorCode);
}
