using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>TieringPolicy (bms.json): when a policy moves its points to a tier by itself. Keyed by target tier; only ArchivedRP exists.</summary>
public sealed record TieringPolicy(string? TieringMode, int? Duration, string? DurationType);

/// <summary>
/// Smart tiering as Azure checks it for VMs: the only target tier is ArchivedRP; TierRecommended moves every point
/// recommended for move, TierAfter those older than its duration (at least 3 months, and a monthly or yearly retention
/// at least 6 months longer than it), DoNotTier none. A tier the request leaves out keeps the policy's setting (Azure:
/// "service retains the existing configured tiering policy for that tier").
/// </summary>
public static class TieringPolicyRules
{
    public const string ArchivedRP = "ArchivedRP";
    public const string TierRecommended = "TierRecommended";
    public const string TierAfter = "TierAfter";
    public const string DoNotTier = "DoNotTier";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] Modes = [TierRecommended, TierAfter, DoNotTier];
    private static readonly string[] Units = ["Days", "Weeks", "Months", "Years"];

    /// <summary>The stored JSON after this request: the request's ArchivedRP setting, checked, or the stored one.</summary>
    public static string? Merge(Dictionary<string, TieringPolicy>? requested, LongTermRetentionPolicy retention, string? stored)
    {
        if (requested is null || requested.Count == 0) return stored;
        foreach (var key in requested.Keys.Where(k => !k.Equals(ArchivedRP, StringComparison.OrdinalIgnoreCase)))
            throw Bad($"tieringPolicy.{key}: the only target tier Azure VMs tier to is 'ArchivedRP'.");
        var (_, p) = requested.First(k => k.Key.Equals(ArchivedRP, StringComparison.OrdinalIgnoreCase));
        var mode = Modes.FirstOrDefault(m => m.Equals(p?.TieringMode, StringComparison.OrdinalIgnoreCase))
            ?? throw Bad($"tieringPolicy.ArchivedRP.tieringMode '{p?.TieringMode}' is invalid: use TierRecommended, TierAfter or DoNotTier.");
        if (mode != TierAfter)
        {
            if (p!.Duration is { } d and not 0 || p.DurationType is { Length: > 0 } t && !t.Equals("Invalid", StringComparison.OrdinalIgnoreCase))
                throw Bad($"tieringPolicy.ArchivedRP.duration and durationType are used only with tieringMode TierAfter, not {mode}: leave them out.");
            return Serialize(new TieringPolicy(mode, null, null));
        }
        var unit = Units.FirstOrDefault(u => u.Equals(p!.DurationType, StringComparison.OrdinalIgnoreCase))
            ?? throw Bad($"tieringPolicy.ArchivedRP.durationType '{p!.DurationType}' is invalid with TierAfter: use Days, Weeks, Months or Years.");
        if (p.Duration is not (> 0 and var duration)) throw Bad("tieringPolicy.ArchivedRP.duration must be a positive number with TierAfter.");
        var start = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var after = Add(start, duration, unit);
        var longest = new[] { retention.MonthlySchedule?.RetentionDuration?.Count is { } m ? start.AddMonths(m) : (DateTimeOffset?)null,
            retention.YearlySchedule?.RetentionDuration?.Count is { } y ? start.AddYears(y) : null }.Max();
        // PowerShell's wording of the service's rule.
        if (after < start.AddMonths(3) || longest is null || longest < after.AddMonths(6))
            throw Bad($"TierAfterDuration needs to be >= 3 months, at least one of monthly or yearly retention should be >= (TierAfterDuration + 6) months " +
                $"(tieringPolicy.ArchivedRP: TierAfter {duration} {unit}).");
        return Serialize(new TieringPolicy(mode, duration, unit));
    }

    public static TieringPolicy? Archive(BackupPolicy policy) =>
        policy.TieringPolicyJson is { } json ? JsonSerializer.Deserialize<TieringPolicy>(json, Json) : null;

    /// <summary>As the policy returns it: the stored setting under its tier, or none.</summary>
    public static Dictionary<string, TieringPolicy>? ToResource(BackupPolicy policy) => Archive(policy) is { } p ? new() { [ArchivedRP] = p } : null;

    /// <summary>The time a point must have spent in the Standard tier before TierAfter moves it.</summary>
    public static DateTimeOffset Add(DateTimeOffset from, int duration, string unit) => unit switch
    {
        "Days" => from.AddDays(duration),
        "Weeks" => from.AddDays(7 * duration),
        "Months" => from.AddMonths(duration),
        _ => from.AddYears(duration),
    };

    private static string Serialize(TieringPolicy p) => JsonSerializer.Serialize(p, Json);

    private static ArmException Bad(string message) => ArmException.BadRequest(message, PolicyValidator.ErrorCode);
}
