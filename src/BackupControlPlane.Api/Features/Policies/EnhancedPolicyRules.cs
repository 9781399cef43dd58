using System.Globalization;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>
/// Azure's rules for an Enhanced policy (<c>policyType: V2</c>): its <c>SimpleSchedulePolicyV2</c> (hourly, daily or
/// weekly) and its instant-restore retention (azure-protection-restore.md §1). An hourly schedule becomes the run times
/// of its slots (window start + k·interval, for k·interval &lt; the window's duration), so the scheduler plans them as
/// it plans a standard policy's run times.
/// </summary>
public static class EnhancedPolicyRules
{
    public const string V2 = "V2";
    public const string ScheduleType = "SimpleSchedulePolicyV2";
    public const string OnlyCrashConsistent = "OnlyCrashConsistent";
    public const int DefaultInstantRpDays = 7;
    private static readonly int[] Intervals = [4, 6, 8, 12];

    /// <summary>The schedule as it is stored and returned, with the slots it runs at (timestamps; the time of day counts).</summary>
    public sealed record Schedule(string Frequency, List<string> RunTimes, List<string> RunDays, SchedulePolicy Normalized, int? Interval);

    public static bool IsEnhanced(string? policyType) => policyType switch
    {
        null => false,
        var t when t.Equals("V1", StringComparison.OrdinalIgnoreCase) => false,
        var t when t.Equals(V2, StringComparison.OrdinalIgnoreCase) => true,
        var t => throw PolicyValidator.Bad($"policyType '{t}' is invalid: use 'V1' (Standard) or 'V2' (Enhanced)."),
    };

    public static Schedule Validate(SchedulePolicy s)
    {
        if (!string.Equals(s.SchedulePolicyType, ScheduleType, StringComparison.OrdinalIgnoreCase))
            throw PolicyValidator.Bad($"schedulePolicyType '{s.SchedulePolicyType}' is not valid for an Enhanced (V2) policy: use '{ScheduleType}'.");
        if (s.ScheduleRunTimes is { Count: > 0 } || s.ScheduleRunDays is { Count: > 0 })
            throw PolicyValidator.Bad($"schedulePolicy.scheduleRunTimes and scheduleRunDays belong to SimpleSchedulePolicy: a {ScheduleType} gives its times in hourlySchedule, dailySchedule or weeklySchedule.");
        var frequency = s.ScheduleRunFrequency switch
        {
            var f when string.Equals(f, "Hourly", StringComparison.OrdinalIgnoreCase) => "Hourly",
            var f when string.Equals(f, "Daily", StringComparison.OrdinalIgnoreCase) => "Daily",
            var f when string.Equals(f, "Weekly", StringComparison.OrdinalIgnoreCase) => "Weekly",
            var f => throw PolicyValidator.Bad($"scheduleRunFrequency '{f}' is invalid: use 'Hourly', 'Daily' or 'Weekly'."),
        };
        Only(frequency, "Hourly", s.HourlySchedule, "hourlySchedule");
        Only(frequency, "Daily", s.DailySchedule, "dailySchedule");
        Only(frequency, "Weekly", s.WeeklySchedule, "weeklySchedule");
        var normalized = new SchedulePolicy(ScheduleType, frequency, null, null, null, s.HourlySchedule, s.DailySchedule, s.WeeklySchedule);
        switch (frequency)
        {
            case "Hourly":
                var h = s.HourlySchedule!;
                if (h.Interval is not { } interval || !Intervals.Contains(interval))
                    throw PolicyValidator.Bad($"hourlySchedule.interval {h.Interval?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} is invalid: an hourly schedule runs every 4, 6, 8 or 12 hours.");
                if (h.ScheduleWindowDuration is not { } duration || duration is < 4 or > 24 || duration % interval != 0)
                    throw PolicyValidator.Bad($"hourlySchedule.scheduleWindowDuration {h.ScheduleWindowDuration?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} is invalid: the window lasts 4 to 24 hours, a multiple of the interval ({interval}).");
                var start = StartTime(h.ScheduleWindowStartTime, "hourlySchedule.scheduleWindowStartTime");
                var slots = Enumerable.Range(0, duration / interval).Select(k => Stamp(start.AddHours(k * interval))).ToList();
                return new Schedule(frequency, slots, [], normalized, interval);
            case "Daily":
                return new Schedule(frequency, [OneTime(s.DailySchedule!.ScheduleRunTimes, "dailySchedule")], [], normalized, null);
            default:
                var w = s.WeeklySchedule!;
                var days = (w.ScheduleRunDays ?? []).Select(d => PolicyValidator.Day(d, "weeklySchedule.scheduleRunDays")).Distinct().ToList();
                if (days.Count == 0) throw PolicyValidator.Bad("weeklySchedule.scheduleRunDays needs at least one day.");
                return new Schedule(frequency, [OneTime(w.ScheduleRunTimes, "weeklySchedule")], days, normalized, null);
        }
    }

    /// <summary>
    /// Instant-restore (snapshot) retention of an Enhanced policy: 1 to 30 days, 7 by default; weekly schedules keep
    /// 5 to 20; hourly ones at most 17 days every 4 hours and 22 every 6 hours (Azure's published caps).
    /// </summary>
    public static int InstantRpDays(int? requested, Schedule schedule)
    {
        var days = requested ?? DefaultInstantRpDays;
        if (days is < 1 or > 30)
            throw PolicyValidator.Bad($"instantRpRetentionRangeInDays {days} is invalid: for an Enhanced policy the retention policy range must be between 1 to 30 days.");
        if (schedule.Frequency == "Weekly" && days is < 5 or > 20)
            throw PolicyValidator.Bad($"instantRpRetentionRangeInDays {days} is invalid: a weekly Enhanced policy keeps snapshots 5 to 20 days.");
        var cap = schedule.Interval switch { 4 => 17, 6 => 22, _ => 30 };
        if (days > cap)
            throw PolicyValidator.Bad($"instantRpRetentionRangeInDays {days} is invalid: an hourly policy every {schedule.Interval} hours keeps snapshots at most {cap} days.");
        return days;
    }

    public static string? SnapshotConsistency(string? value, bool enhanced)
    {
        if (value is null) return null;
        if (!enhanced) throw PolicyValidator.Bad("snapshotConsistencyType is for Enhanced policies only: set policyType 'V2' or leave it out.");
        return value.Equals(OnlyCrashConsistent, StringComparison.OrdinalIgnoreCase)
            ? OnlyCrashConsistent
            : throw PolicyValidator.Bad($"snapshotConsistencyType '{value}' is invalid: the only value is '{OnlyCrashConsistent}'.");
    }

    /// <summary>A standard policy's SimpleSchedulePolicy with an Enhanced member: refused by name rather than dropped.</summary>
    public static void RefuseOnStandard(SchedulePolicy s)
    {
        if (string.Equals(s.SchedulePolicyType, ScheduleType, StringComparison.OrdinalIgnoreCase))
            throw PolicyValidator.Bad($"schedulePolicyType '{ScheduleType}' is for Enhanced policies: set policyType 'V2'.");
        var member = s.HourlySchedule is not null ? "hourlySchedule" : s.DailySchedule is not null ? "dailySchedule" : s.WeeklySchedule is not null ? "weeklySchedule" : null;
        if (member is not null) throw PolicyValidator.Bad($"schedulePolicy.{member} belongs to {ScheduleType} (an Enhanced policy, policyType 'V2').");
    }

    private static void Only(string frequency, string owner, object? member, string name)
    {
        if (frequency == owner && member is null) throw PolicyValidator.Bad($"An {owner.ToLowerInvariant()} {ScheduleType} needs schedulePolicy.{name}.");
        if (frequency != owner && member is not null) throw PolicyValidator.Bad($"schedulePolicy.{name} does not go with scheduleRunFrequency '{frequency}'.");
    }

    private static string OneTime(List<string>? times, string where)
    {
        if (times is not { Count: 1 }) throw PolicyValidator.Bad($"{where}.scheduleRunTimes needs exactly one time.");
        StartTime(times[0], where + ".scheduleRunTimes");
        return times[0];
    }

    private static DateTimeOffset StartTime(string? value, string where)
    {
        var time = PolicyValidator.ParseTime(value ?? throw PolicyValidator.Bad($"{where} is required."), where);
        if (time.Minute is not (0 or 30) || time.Second != 0)
            throw PolicyValidator.Bad($"The schedule time {time:HH:mm:ss} in {where} is invalid: backups start on the hour or the half hour.");
        return time;
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
