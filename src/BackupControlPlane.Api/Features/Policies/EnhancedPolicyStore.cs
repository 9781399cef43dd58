using System.Text.Json;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>
/// How an Enhanced (V2) policy is kept: its SimpleSchedulePolicyV2 and snapshotConsistencyType as JSON in
/// <see cref="BackupPolicy.EnhancedJson"/> (the slots it runs at are in <see cref="BackupPolicy.ScheduleRunTimes"/>,
/// like a standard policy's). A standard policy has none and reads back exactly as before.
/// </summary>
public static class EnhancedPolicyStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static bool IsEnhanced(BackupPolicy policy) => policy.EnhancedJson is not null;

    public static void Write(BackupPolicy policy, PolicyValidator.Enhanced? enhanced) =>
        policy.EnhancedJson = enhanced is null ? null : JsonSerializer.Serialize(enhanced, Json);

    /// <summary>
    /// A Standard policy may become Enhanced (its items move with it, the direction Azure allows); an Enhanced one
    /// never goes back to Standard.
    /// </summary>
    public static void CheckTypeKept(BackupPolicy policy, PolicyValidator.Enhanced? enhanced)
    {
        if (IsEnhanced(policy) && enhanced is null)
            throw PolicyValidator.Bad($"The policy '{policy.Name}' is an Enhanced (V2) policy: Backup doesn't allow changing the policy type to Standard. Create a Standard policy instead.");
    }

    /// <summary>The policy's properties as Azure returns them: a standard policy's unchanged, an Enhanced one's with its V2 members.</summary>
    public static PolicyProperties Read(BackupPolicy policy, PolicyProperties standard)
    {
        if (policy.EnhancedJson is not { } json) return standard;
        var enhanced = JsonSerializer.Deserialize<PolicyValidator.Enhanced>(json, Json)!;
        return standard with
        {
            PolicyType = EnhancedPolicyRules.V2,
            SnapshotConsistencyType = enhanced.SnapshotConsistencyType,
            SchedulePolicy = enhanced.Schedule with { ScheduleWeeklyFrequency = null },
        };
    }
}
