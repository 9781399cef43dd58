namespace BackupControlPlane.Api.Features.Policies;

// AzureIaasVMProtectionPolicy as bms.json defines it; the same records read requests and write responses.

public sealed record PolicyRequest(PolicyProperties? Properties);

public sealed record PolicyResource(string Id, string Name, string Type, PolicyProperties Properties,
    [property: System.Text.Json.Serialization.JsonPropertyName("eTag")] string? ETag = null);

public sealed record PolicyProperties(
    string? BackupManagementType, string? TimeZone, int? InstantRpRetentionRangeInDays,
    SchedulePolicy? SchedulePolicy, LongTermRetentionPolicy? RetentionPolicy, int? ProtectedItemsCount, string? PolicyType = null,
    string? SnapshotConsistencyType = null, Dictionary<string, TieringPolicy>? TieringPolicy = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    InstantRpAdditionalDetails? InstantRpDetails = null);

/// <summary>instantRPDetails: the resource group Azure keeps instant-restore snapshots in (read to be refused: not emulated).</summary>
public sealed record InstantRpAdditionalDetails(string? AzureBackupRgNamePrefix, string? AzureBackupRgNameSuffix);

/// <summary>SimpleSchedulePolicy (V1: the run days and times) or SimpleSchedulePolicyV2 (Enhanced: the hourly, daily or weekly member).</summary>
public sealed record SchedulePolicy(
    string? SchedulePolicyType, string? ScheduleRunFrequency, List<string>? ScheduleRunDays, List<string>? ScheduleRunTimes, int? ScheduleWeeklyFrequency = 0,
    HourlySchedule? HourlySchedule = null, DailySchedule? DailySchedule = null, WeeklySchedule? WeeklySchedule = null);

public sealed record HourlySchedule(int? Interval, string? ScheduleWindowStartTime, int? ScheduleWindowDuration);

public sealed record DailySchedule(List<string>? ScheduleRunTimes);

public sealed record WeeklySchedule(List<string>? ScheduleRunDays, List<string>? ScheduleRunTimes);

public sealed record LongTermRetentionPolicy(
    string? RetentionPolicyType, DailyRetentionSchedule? DailySchedule, WeeklyRetentionSchedule? WeeklySchedule,
    MonthlyRetentionSchedule? MonthlySchedule, YearlyRetentionSchedule? YearlySchedule);

public sealed record RetentionDuration(int? Count, string? DurationType);

public sealed record DailyRetentionSchedule(List<string>? RetentionTimes, RetentionDuration? RetentionDuration);

public sealed record WeeklyRetentionSchedule(List<string>? DaysOfTheWeek, List<string>? RetentionTimes, RetentionDuration? RetentionDuration);

public sealed record WeeklyRetentionFormat(List<string>? DaysOfTheWeek, List<string>? WeeksOfTheMonth);

public sealed record DailyRetentionFormat(List<RetentionDay>? DaysOfTheMonth);

public sealed record RetentionDay(int? Date, bool? IsLast);

public sealed record MonthlyRetentionSchedule(
    string? RetentionScheduleFormatType, DailyRetentionFormat? RetentionScheduleDaily, WeeklyRetentionFormat? RetentionScheduleWeekly,
    List<string>? RetentionTimes, RetentionDuration? RetentionDuration);

public sealed record YearlyRetentionSchedule(
    string? RetentionScheduleFormatType, List<string>? MonthsOfYear, DailyRetentionFormat? RetentionScheduleDaily,
    WeeklyRetentionFormat? RetentionScheduleWeekly, List<string>? RetentionTimes, RetentionDuration? RetentionDuration);
