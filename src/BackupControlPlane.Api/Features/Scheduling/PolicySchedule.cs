using System.Globalization;
using System.Text.Json;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>When a policy's backups run: its run times of day, read in the policy's time zone (a Windows or IANA id).</summary>
public static class PolicySchedule
{
    public static IReadOnlyList<TimeOnly> RunTimes(BackupPolicy policy) =>
        (JsonSerializer.Deserialize<string[]>(policy.ScheduleRunTimes) ?? [])
            .Select(t => TimeOnly.FromDateTime(DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime))
            .Distinct().Order().ToList();

    public static TimeZoneInfo TimeZone(BackupPolicy policy) =>
        string.IsNullOrEmpty(policy.TimeZone) || policy.TimeZone.Equals("UTC", StringComparison.OrdinalIgnoreCase)
            ? TimeZoneInfo.Utc
            : TimeZoneInfo.FindSystemTimeZoneById(policy.TimeZone);

    public static IReadOnlyList<DayOfWeek> RunDays(BackupPolicy policy) =>
        policy.ScheduleRunDays.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<DayOfWeek>).ToList();

    /// <summary>The first slot strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextSlotAfter(BackupPolicy policy, DateTimeOffset after) =>
        NextSlotAfter(RunTimes(policy), TimeZone(policy), after, RunDays(policy));

    /// <param name="runDays">For weekly schedules, the local days backups run on; empty for daily schedules.</param>
    public static DateTimeOffset NextSlotAfter(IReadOnlyList<TimeOnly> runTimes, TimeZoneInfo zone, DateTimeOffset after, IReadOnlyList<DayOfWeek>? runDays = null)
    {
        if (runTimes.Count == 0) throw new InvalidOperationException("The policy has no run times.");
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime);
        for (var day = localDate.AddDays(-1); day <= localDate.AddDays(8); day = day.AddDays(1))
        {
            if (runDays is { Count: > 0 } && !runDays.Contains(day.DayOfWeek)) continue;
            foreach (var time in runTimes)
            {
                var slot = ToUtc(day.ToDateTime(time), zone);
                if (slot > after) return slot;
            }
        }
        throw new InvalidOperationException("No slot found within a week; the run times or days are invalid.");
    }

    /// <summary>
    /// Local wall time to UTC. A time skipped by a spring-forward runs right after the gap; a time that occurs twice at
    /// fall-back runs once, at its first occurrence.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var first = offsets.Max(); // the earlier instant has the larger offset
            return new DateTimeOffset(local, first).ToUniversalTime();
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
