using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// How long a policy keeps each kind of recovery point (daily, weekly, monthly, yearly), in days, read from Azure's
/// LongTermRetentionPolicy JSON: a change "reduces retention" when any kind is kept for less time, or no longer kept.
/// </summary>
public static class RetentionMeasure
{
    private static readonly string[] Kinds = ["dailySchedule", "weeklySchedule", "monthlySchedule", "yearlySchedule"];

    public static Dictionary<string, int> Of(BackupPolicy policy) =>
        policy.RetentionJson is { } json && JsonNode.Parse(json) is JsonObject retention ? Of(retention) : new() { ["dailySchedule"] = policy.DailyRetentionDays };

    public static Dictionary<string, int> Of(JsonObject retention)
    {
        var days = new Dictionary<string, int>();
        foreach (var kind in Kinds)
        {
            var duration = retention.FirstOrDefault(p => p.Key.Equals(kind, StringComparison.OrdinalIgnoreCase)).Value?["retentionDuration"];
            if (duration?["count"] is not JsonValue count || !count.TryGetValue<int>(out var n)) continue;
            var unit = duration["durationType"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "Days";
            days[kind] = n * unit.ToLowerInvariant() switch { "weeks" => 7, "months" => 30, "years" => 365, _ => 1 };
        }
        return days;
    }

    public static bool Reduces(Dictionary<string, int> before, Dictionary<string, int> after) =>
        before.Any(b => !after.TryGetValue(b.Key, out var kept) || kept < b.Value);
}
