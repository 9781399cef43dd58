using BackupControlPlane.Api.Features.Policies;
using BackupControlPlane.Api.Features.Scheduling;

namespace BackupControlPlane.Api.Tests.Features.Policies;

/// <summary>Which daily backups a policy keeps, simulated over 400 days of slots with the service's own rules.</summary>
public sealed class RetentionRulesTests
{
    private static readonly LongTermRetentionPolicy Policy = new("LongTermRetentionPolicy",
        new DailyRetentionSchedule(["2020-01-01T22:00:00Z"], new RetentionDuration(7, "Days")),
        new WeeklyRetentionSchedule(["Sunday"], ["2020-01-01T22:00:00Z"], new RetentionDuration(4, "Weeks")),
        new MonthlyRetentionSchedule("Weekly", null, new WeeklyRetentionFormat(["Sunday"], ["First"]), ["2020-01-01T22:00:00Z"], new RetentionDuration(12, "Months")),
        new YearlyRetentionSchedule("Daily", ["January"], new DailyRetentionFormat([new RetentionDay(1, false)]), null, ["2020-01-01T22:00:00Z"], new RetentionDuration(3, "Years")));

    [Fact]
    public void After_400_days_a_point_survives_exactly_as_long_as_its_longest_rule()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time");
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var slots = new List<DateTimeOffset>();
        for (var slot = PolicySchedule.NextSlotAfter([new TimeOnly(22, 0)], zone, start); slot < start.AddDays(400); slot = PolicySchedule.NextSlotAfter([new TimeOnly(22, 0)], zone, slot))
            slots.Add(slot);
        Assert.Equal(400, slots.Count); // one slot a day, DST changes included

        var now = start.AddDays(400);
        var kept = slots.Where(s => RetentionRules.ExpiryFor(Policy, zone, s, s) > now).Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, zone).DateTime)).ToList();
        var last = kept.Max();
        var daily = kept.Where(d => d > last.AddDays(-7)).ToList();
        var sundaysInFourWeeks = kept.Where(d => d.DayOfWeek == DayOfWeek.Sunday && d > last.AddDays(-28)).ToList();
        var firstSundays = kept.Where(d => d.DayOfWeek == DayOfWeek.Sunday && d.Day <= 7).ToList();
        var januaryFirsts = kept.Where(d => d is { Month: 1, Day: 1 }).ToList();

        Assert.Equal(7, daily.Count);
        Assert.Equal(4, sundaysInFourWeeks.Count);
        Assert.InRange(firstSundays.Count, 12, 13);
        Assert.Equal([new DateOnly(2025, 1, 1), new DateOnly(2026, 1, 1)], januaryFirsts);
        // Nothing else survives: every kept point is selected by some rule.
        Assert.All(kept, d => Assert.True(daily.Contains(d) || sundaysInFourWeeks.Contains(d) || firstSundays.Contains(d) || januaryFirsts.Contains(d), d.ToString()));
        Assert.Equal(kept.Count, kept.Distinct().Count());
        // A first Sunday is kept a year: the one 13 months back is gone.
        Assert.DoesNotContain(firstSundays, d => d < DateOnly.FromDateTime(now.AddMonths(-12).DateTime));
    }

    [Fact]
    public void A_weekly_schedule_runs_only_on_its_days()
    {
        var utc = TimeZoneInfo.Utc;
        var from = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero); // a Wednesday
        var next = PolicySchedule.NextSlotAfter([new TimeOnly(10, 0)], utc, from, [DayOfWeek.Monday, DayOfWeek.Thursday]);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero), PolicySchedule.NextSlotAfter([new TimeOnly(10, 0)], utc, next, [DayOfWeek.Monday, DayOfWeek.Thursday]));
    }
}
