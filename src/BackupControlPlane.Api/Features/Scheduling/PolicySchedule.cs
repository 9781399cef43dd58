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

    /// <summary>The first slot strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextSlotAfter(BackupPolicy policy, DateTimeOffset after) =>
        NextSlotAfter(RunTimes(policy), TimeZone(policy), after);

    public static DateTimeOffset NextSlotAfter(IReadOnlyList<TimeOnly> runTimes, TimeZoneInfo zone, DateTimeOffset after)
    {
        if (runTimes.Count == 0) throw new InvalidOperationException("The policy has no run times.");
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime);
        for (var day = localDate.AddDays(-1); day <= localDate.AddDays(2); day = day.AddDays(1))
        {
            foreach (var time in runTimes)
            {
                var slot = ToUtc(day.ToDateTime(time), zone);
                if (slot > after) return slot;
            }
        }
        throw new InvalidOperationException("No slot found within two days; the run times are invalid.");
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
