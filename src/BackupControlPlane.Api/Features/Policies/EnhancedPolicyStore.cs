using System.Text.Json;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Policies;

/// <summary>
/// How an Enhanced (V2) policy is kept: its policyType, its SimpleSchedulePolicyV2 as Azure's JSON (the slots it runs
/// at are in <see cref="BackupPolicy.ScheduleRunTimes"/> like a standard policy's) and its snapshotConsistencyType.
/// A standard policy keeps none of them and reads back exactly as before.
/// </summary>
public static class EnhancedPolicyStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static bool IsEnhanced(BackupPolicy policy) => policy.PolicyType == EnhancedPolicyRules.V2;

    public static void Write(BackupPolicy policy, PolicyValidator.Enhanced? enhanced)
    {
        policy.PolicyType = enhanced is null ? null : EnhancedPolicyRules.V2;
        policy.ScheduleV2Json = enhanced is null ? null : JsonSerializer.Serialize(enhanced.Schedule, Json);
        policy.SnapshotConsistencyType = enhanced?.SnapshotConsistencyType;
    }

    /// <summary>An existing policy keeps its type: Standard and Enhanced policies are created as such.</summary>
    public static void CheckTypeKept(BackupPolicy policy, PolicyValidator.Enhanced? enhanced)
    {
        if (IsEnhanced(policy) != enhanced is not null)
            throw PolicyValidator.Bad($"The policy '{policy.Name}' is {(IsEnhanced(policy) ? "an Enhanced (V2)" : "a Standard (V1)")} policy: its policyType cannot change. Create a new policy instead.");
    }

    /// <summary>The policy's properties as Azure returns them: a standard policy's unchanged, an Enhanced one's with its V2 members.</summary>
    public static PolicyProperties Read(BackupPolicy policy, PolicyProperties standard) =>
        !IsEnhanced(policy) || policy.ScheduleV2Json is not { } json
            ? standard
            : standard with
            {
                PolicyType = EnhancedPolicyRules.V2,
                SnapshotConsistencyType = policy.SnapshotConsistencyType,
                SchedulePolicy = JsonSerializer.Deserialize<SchedulePolicy>(json, Json)! with { ScheduleWeeklyFrequency = null },
            };
}
