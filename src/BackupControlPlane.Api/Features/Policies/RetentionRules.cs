using System.Text.Json;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>
/// How long a scheduled recovery point lives: the longest of the policy's daily, weekly, monthly and yearly rules that
/// select the backup's local date (as Azure keeps a point for the longest rule that applies to it).
/// </summary>
public static class RetentionRules
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LongTermRetentionPolicy Retention(BackupPolicy policy) =>
        policy.RetentionJson is { } json
            ? JsonSerializer.Deserialize<LongTermRetentionPolicy>(json, Json)!
            : new LongTermRetentionPolicy("LongTermRetentionPolicy",
                new DailyRetentionSchedule(RunTimeStrings(policy), new RetentionDuration(policy.DailyRetentionDays, "Days")), null, null, null);

    public static string Serialize(LongTermRetentionPolicy retention) => JsonSerializer.Serialize(retention, Json);

    private static List<string> RunTimeStrings(BackupPolicy policy) => JsonSerializer.Deserialize<List<string>>(policy.ScheduleRunTimes) ?? [];

    /// <summary>The expiry of a point taken at <paramref name="backupTime"/> for the slot <paramref name="slotUtc"/>.</summary>
    public static DateTimeOffset ExpiryFor(BackupPolicy policy, DateTimeOffset slotUtc, DateTimeOffset backupTime) =>
        ExpiryFor(Retention(policy), PolicySchedule.TimeZone(policy), slotUtc, backupTime);

    public static DateTimeOffset ExpiryFor(LongTermRetentionPolicy r, TimeZoneInfo zone, DateTimeOffset slotUtc, DateTimeOffset backupTime)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slotUtc, zone).DateTime);
        var expiry = backupTime;
        if (r.DailySchedule?.RetentionDuration?.Count is { } days) expiry = Max(expiry, backupTime.AddDays(days));
        if (r.WeeklySchedule is { RetentionDuration.Count: { } weeks } w && Has(w.DaysOfTheWeek, date.DayOfWeek.ToString()))
            expiry = Max(expiry, backupTime.AddDays(7 * weeks));
        if (r.MonthlySchedule is { RetentionDuration.Count: { } months } m && Selects(m.RetentionScheduleFormatType, m.RetentionScheduleDaily, m.RetentionScheduleWeekly, date))
            expiry = Max(expiry, backupTime.AddMonths(months));
        if (r.YearlySchedule is { RetentionDuration.Count: { } years } y && Has(y.MonthsOfYear, Months[date.Month - 1])
            && Selects(y.RetentionScheduleFormatType, y.RetentionScheduleDaily, y.RetentionScheduleWeekly, date))
            expiry = Max(expiry, backupTime.AddYears(years));
        return expiry;
    }

    /// <summary>Whether the policy's monthly or yearly rule keeps the point of this slot: the only points Azure may move to the archive tier.</summary>
    public static bool IsMonthlyOrYearly(BackupPolicy policy, DateTimeOffset slotUtc)
    {
        var r = Retention(policy);
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slotUtc, PolicySchedule.TimeZone(policy)).DateTime);
        return (r.MonthlySchedule is { } m && Selects(m.RetentionScheduleFormatType, m.RetentionScheduleDaily, m.RetentionScheduleWeekly, date))
            || (r.YearlySchedule is { } y && Has(y.MonthsOfYear, Months[date.Month - 1]) && Selects(y.RetentionScheduleFormatType, y.RetentionScheduleDaily, y.RetentionScheduleWeekly, date));
    }

    public static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    public static readonly string[] WeeksOfTheMonth = ["First", "Second", "Third", "Fourth", "Last"];

    private static bool Selects(string? format, DailyRetentionFormat? daily, WeeklyRetentionFormat? weekly, DateOnly date)
    {
        if (string.Equals(format, "Daily", StringComparison.OrdinalIgnoreCase))
        {
            var last = DateTime.DaysInMonth(date.Year, date.Month);
            return daily?.DaysOfTheMonth?.Any(d => d.IsLast == true ? date.Day == last : d.Date == date.Day) == true;
        }
        if (weekly is null || !Has(weekly.DaysOfTheWeek, date.DayOfWeek.ToString())) return false;
        var week = (date.Day - 1) / 7; // 0 = First
        var isLast = date.Day + 7 > DateTime.DaysInMonth(date.Year, date.Month);
        return weekly.WeeksOfTheMonth?.Any(x => x.Equals("Last", StringComparison.OrdinalIgnoreCase) ? isLast : Array.FindIndex(WeeksOfTheMonth, n => n.Equals(x, StringComparison.OrdinalIgnoreCase)) == week) == true;
    }

    private static bool Has(List<string>? values, string value) => values?.Any(v => v.Equals(value, StringComparison.OrdinalIgnoreCase)) == true;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
