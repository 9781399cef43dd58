using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Policies;

public sealed class PolicyTests
{
    private static string NewRg() => "rg-pol-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Azure's own example (ProtectionPolicies_CreateOrUpdate_Complex.json): weekly, Pacific time, weekly/monthly/yearly retention.</summary>
    public static object WeeklyPolicy(string runTime = "2018-01-24T10:00:00Z", string[]? days = null, int? instantDays = null) => new
    {
        properties = new
        {
            backupManagementType = "AzureIaasVM",
            timeZone = "Pacific Standard Time",
            instantRpRetentionRangeInDays = instantDays,
            schedulePolicy = new { schedulePolicyType = "SimpleSchedulePolicy", scheduleRunFrequency = "Weekly", scheduleRunTimes = new[] { runTime }, scheduleRunDays = days ?? ["Monday", "Wednesday", "Thursday"] },
            retentionPolicy = new
            {
                retentionPolicyType = "LongTermRetentionPolicy",
                weeklySchedule = new { daysOfTheWeek = days ?? ["Monday", "Wednesday", "Thursday"], retentionTimes = new[] { runTime }, retentionDuration = new { count = 1, durationType = "Weeks" } },
                monthlySchedule = new
                {
                    retentionScheduleFormatType = "Weekly",
                    retentionScheduleWeekly = new { daysOfTheWeek = new[] { "Wednesday", "Thursday" }, weeksOfTheMonth = new[] { "First", "Third" } },
                    retentionTimes = new[] { runTime }, retentionDuration = new { count = 2, durationType = "Months" },
                },
                yearlySchedule = new
                {
                    retentionScheduleFormatType = "Weekly", monthsOfYear = new[] { "February", "November" },
                    retentionScheduleWeekly = new { daysOfTheWeek = new[] { "Monday", "Thursday" }, weeksOfTheMonth = new[] { "Fourth" } },
                    retentionTimes = new[] { runTime }, retentionDuration = new { count = 4, durationType = "Years" },
                },
            },
        },
    };

    public static object DailyPolicy(string runTime, int days, string timeZone = "UTC", int instantDays = 2) => new
    {
        properties = new
        {
            backupManagementType = "AzureIaasVM", timeZone, instantRpRetentionRangeInDays = instantDays,
            schedulePolicy = new { schedulePolicyType = "SimpleSchedulePolicy", scheduleRunFrequency = "Daily", scheduleRunTimes = new[] { runTime } },
            retentionPolicy = new { retentionPolicyType = "LongTermRetentionPolicy", dailySchedule = new { retentionTimes = new[] { runTime }, retentionDuration = new { count = days, durationType = "Days" } } },
        },
    };

    [Fact]
    public async Task Azures_complex_weekly_policy_is_created_read_back_and_counted()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1");
        var path = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/weekly1";
        using var put = await app.Arm.SendAsync(HttpMethod.Put, path, WeeklyPolicy());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var policy = (await app.Arm.GetAsync(path))["properties"]!;
        Assert.Equal("Pacific Standard Time", policy["timeZone"]!.GetValue<string>());
        Assert.Equal(5, policy["instantRpRetentionRangeInDays"]!.GetValue<int>()); // fixed at 5 for weekly
        Assert.Equal(["Monday", "Wednesday", "Thursday"], policy["schedulePolicy"]!["scheduleRunDays"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(4, policy["retentionPolicy"]!["yearlySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        Assert.Equal("Fourth", policy["retentionPolicy"]!["yearlySchedule"]!["retentionScheduleWeekly"]!["weeksOfTheMonth"]![0]!.GetValue<string>());
        var all = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies"))["value"]!.AsArray();
        Assert.Equal(["DefaultPolicy", "weekly1"], all.Select(p => p!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("2018-01-24T10:15:00Z", null, null, "half hour")]
    [InlineData("2018-01-24T10:00:00Z", 2, null, "fixed at 5")]
    [InlineData("2018-01-24T10:00:00Z", null, "Funday", "not a day of the week")]
    public async Task Invalid_policies_are_refused_with_Azures_code_and_not_stored(string runTime, int? instantDays, string? day, string mentions)
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1");
        var path = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/bad";
        using var put = await app.Arm.SendAsync(HttpMethod.Put, path, WeeklyPolicy(runTime, day is null ? null : [day], instantDays));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var error = JsonNode.Parse(await put.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("BMSUserErrorInvalidPolicyInput", error["code"]!.GetValue<string>());
        Assert.Contains(mentions, error["message"]!.GetValue<string>());
        using var get = await app.Arm.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Daily_retention_range_time_zone_and_instant_range_are_validated()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1");
        var path = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/daily";
        foreach (var bad in new[] { DailyPolicy("2020-01-01T01:00:00Z", 10000), DailyPolicy("2020-01-01T01:00:00Z", 30, "Mars/Olympus"), DailyPolicy("2020-01-01T01:00:00Z", 30, instantDays: 6) })
        {
            using var r = await app.Arm.SendAsync(HttpMethod.Put, path, bad);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        using var ok = await app.Arm.SendAsync(HttpMethod.Put, path, DailyPolicy("2020-01-01T01:30:00Z", 7, "W. Europe Standard Time", 5));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_policy_in_use_cannot_be_deleted_an_unused_one_can()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmpol");
        using var inUse = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/DefaultPolicy");
        Assert.Equal(HttpStatusCode.BadRequest, inUse.StatusCode);
        Assert.Contains("BMSUserErrorPolicyInUse", await inUse.Content.ReadAsStringAsync());

        var path = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/spare";
        (await app.Arm.SendAsync(HttpMethod.Put, path, DailyPolicy("2020-01-01T02:00:00Z", 10))).Dispose();
        using var delete = await app.Arm.SendAsync(HttpMethod.Delete, path);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var gone = await app.Arm.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Editing_a_policy_re_plans_its_items_and_the_old_slot_never_runs()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmplan");
        // The item is on DefaultPolicy (daily 19:00 UTC). Make it weekly, Sundays 10:00 Pacific time.
        using var edit = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/DefaultPolicy", new
        {
            properties = new
            {
                backupManagementType = "AzureIaasVM", timeZone = "Pacific Standard Time",
                schedulePolicy = new { schedulePolicyType = "SimpleSchedulePolicy", scheduleRunFrequency = "Weekly", scheduleRunTimes = new[] { "2020-01-01T10:00:00Z" }, scheduleRunDays = new[] { "Sunday" } },
                retentionPolicy = new { retentionPolicyType = "LongTermRetentionPolicy", weeklySchedule = new { daysOfTheWeek = new[] { "Sunday" }, retentionTimes = new[] { "2020-01-01T10:00:00Z" }, retentionDuration = new { count = 4, durationType = "Weeks" } } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        var due = await app.Arm.RunDueAsync(rg, DateTimeOffset.UtcNow.AddDays(8));
        var slot = DateTimeOffset.Parse(Assert.Single(due["slots"]!.AsArray())!["slotTime"]!.GetValue<string>());
        var pacific = TimeZoneInfo.FindSystemTimeZoneById("Pacific Standard Time");
        var local = TimeZoneInfo.ConvertTime(slot, pacific);
        Assert.Equal(DayOfWeek.Sunday, local.DayOfWeek);
        Assert.Equal(new TimeSpan(10, 0, 0), local.TimeOfDay);
        // One backup, at the new slot; the daily 19:00 slot planned before the edit produced nothing.
        var jobs = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")))["value"]!.AsArray();
        Assert.Single(jobs);
    }
}
