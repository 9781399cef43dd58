using BackupControlPlane.Api.Features.Scheduling;

namespace BackupControlPlane.Api.Tests.Features.Scheduling;

public sealed class PolicyScheduleTests
{
    private static readonly TimeOnly[] SevenPm = [new(19, 0)];

    [Fact]
    public void The_next_slot_of_a_daily_UTC_policy_is_today_or_tomorrow_at_the_run_time()
    {
        var utc = TimeZoneInfo.Utc;
        Assert.Equal(At(2026, 11, 25, 19), PolicySchedule.NextSlotAfter(SevenPm, utc, At(2026, 11, 25, 8)));
        Assert.Equal(At(2026, 11, 26, 19), PolicySchedule.NextSlotAfter(SevenPm, utc, At(2026, 11, 25, 19)));
        Assert.Equal(At(2026, 11, 26, 19), PolicySchedule.NextSlotAfter(SevenPm, utc, At(2026, 11, 25, 20)));
    }

    [Fact]
    public void A_Windows_time_zone_id_is_honoured_on_Linux()
    {
        var pacific = TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time");
        // 19:00 in Los Angeles in November (PST, UTC-8) is 03:00 UTC the next day.
        Assert.Equal(At(2026, 11, 26, 3), PolicySchedule.NextSlotAfter(SevenPm, pacific, At(2026, 11, 25, 12)));
        // In July (PDT, UTC-7) it is 02:00 UTC.
        Assert.Equal(At(2026, 7, 2, 2), PolicySchedule.NextSlotAfter(SevenPm, pacific, At(2026, 7, 1, 12)));
    }

    [Fact]
    public void A_run_time_skipped_by_spring_forward_runs_once_right_after_the_gap()
    {
        var pacific = TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time");
        // 2026-03-08 02:30 does not exist in Los Angeles; the slot runs at 03:00 PDT = 10:00 UTC.
        var slot = PolicySchedule.NextSlotAfter([new TimeOnly(2, 30)], pacific, At(2026, 3, 8, 0));
        Assert.Equal(At(2026, 3, 8, 10), slot);
        Assert.Equal(At(2026, 3, 9, 9, 30), PolicySchedule.NextSlotAfter([new TimeOnly(2, 30)], pacific, slot));
    }

    [Fact]
    public void A_run_time_repeated_by_fall_back_runs_once_at_its_first_occurrence()
    {
        var pacific = TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time");
        // 2026-11-01 01:30 happens twice in Los Angeles: first at 08:30 UTC (PDT), again at 09:30 UTC (PST).
        var slot = PolicySchedule.NextSlotAfter([new TimeOnly(1, 30)], pacific, At(2026, 11, 1, 0));
        Assert.Equal(At(2026, 11, 1, 8, 30), slot);
        Assert.Equal(At(2026, 11, 2, 9, 30), PolicySchedule.NextSlotAfter([new TimeOnly(1, 30)], pacific, slot));
    }

    private static DateTimeOffset At(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);
}
