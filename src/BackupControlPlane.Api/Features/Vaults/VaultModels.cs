using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Vaults;

public sealed record VaultRequest(string? Location, VaultSku? Sku, Dictionary<string, string>? Tags, JsonObject? Properties);

public sealed record VaultSku(string? Name, string? Tier = null);

public sealed record VaultResource(
    string Id, string Name, string Type, string Location, string Etag, VaultSku Sku, Dictionary<string, string> Tags, VaultProperties Properties);

public sealed record VaultProperties(
    string ProvisioningState, string PublicNetworkAccess, string PrivateEndpointStateForBackup,
    JsonObject RedundancySettings, JsonObject SecuritySettings, string SecureScore, string BcdrSecurityLevel);

public sealed record PolicyResource(string Id, string Name, string Type, PolicyProperties Properties);

public sealed record PolicyProperties(
    string BackupManagementType, int InstantRpRetentionRangeInDays, string TimeZone,
    SchedulePolicy SchedulePolicy, RetentionPolicy RetentionPolicy, int ProtectedItemsCount);

public sealed record SchedulePolicy(string SchedulePolicyType, string ScheduleRunFrequency, IReadOnlyList<string> ScheduleRunTimes, int ScheduleWeeklyFrequency);

public sealed record RetentionPolicy(string RetentionPolicyType, DailyRetentionSchedule DailySchedule);

public sealed record DailyRetentionSchedule(IReadOnlyList<string> RetentionTimes, RetentionDuration RetentionDuration);

public sealed record RetentionDuration(int Count, string DurationType);
