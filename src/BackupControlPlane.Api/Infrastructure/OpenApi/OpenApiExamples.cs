using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BackupControlPlane.Api.Infrastructure.OpenApi;

/// <summary>
/// Request examples in Swagger UI for the calls people make by hand, taken from Azure's own examples so that "Try it
/// out" starts from a body Azure would accept. Keyed by route pattern and method.
/// </summary>
public sealed class OpenApiExamples : IOpenApiOperationTransformer
{
    private const string Sub = "00000000-0000-0000-0000-000000000001";
    private const string Vm = $"/subscriptions/{Sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Vault = $"/subscriptions/{Sub}/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/v1";

    private static readonly Dictionary<(string Method, string Suffix), string> Examples = new()
    {
        [("PUT", "virtualMachines/{vmName}")] =
            """{"location":"eastus","properties":{"storageProfile":{"osDisk":{"osType":"Linux","name":"osdisk","diskSizeGB":30},"dataDisks":[{"lun":0,"name":"data0","diskSizeGB":10}]}}}""",
        [("PUT", "vaults/{vaultName}")] = """{"location":"eastus","sku":{"name":"Standard"},"properties":{}}""",
        [("PUT", "protectedItems/{protectedItemName}")] =
            """{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","sourceResourceId":"@VM","policyId":"@VAULT/backupPolicies/DefaultPolicy"}}""",
        [("POST", "protectedItems/{protectedItemName}/backup")] =
            """{"properties":{"objectType":"IaasVMBackupRequest","recoveryPointExpiryTimeInUTC":"2030-01-01T00:00:00Z"}}""",
        [("POST", "recoveryPoints/{recoveryPointId}/restore")] =
            """{"properties":{"objectType":"IaasVMRestoreRequest","recoveryType":"RestoreDisks","sourceResourceId":"@VM","storageAccountId":"/subscriptions/@SUB/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/restoresa","region":"eastus","originalStorageAccountOption":false,"createNewCloudService":true,"encryptionDetails":{"encryptionEnabled":false}}}""",
        [("PUT", "backupPolicies/{policyName}")] =
            """{"properties":{"backupManagementType":"AzureIaasVM","timeZone":"Pacific Standard Time","schedulePolicy":{"schedulePolicyType":"SimpleSchedulePolicy","scheduleRunFrequency":"Weekly","scheduleRunDays":["Sunday"],"scheduleRunTimes":["2024-01-01T10:00:00Z"]},"retentionPolicy":{"retentionPolicyType":"LongTermRetentionPolicy","weeklySchedule":{"daysOfTheWeek":["Sunday"],"retentionTimes":["2024-01-01T10:00:00Z"],"retentionDuration":{"count":4,"durationType":"Weeks"}},"monthlySchedule":{"retentionScheduleFormatType":"Weekly","retentionScheduleWeekly":{"daysOfTheWeek":["Sunday"],"weeksOfTheMonth":["First"]},"retentionTimes":["2024-01-01T10:00:00Z"],"retentionDuration":{"count":12,"durationType":"Months"}}}}}""",
        [("POST", "/api/backup/protection/enable-for-vm")] = """{"resourceGroup":"rg1","vaultName":"v1","vm":"vm1","policyName":"DefaultPolicy"}""",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var route = context.Description.RelativePath ?? "";
        var method = context.Description.HttpMethod ?? "";
        var example = Examples.FirstOrDefault(e => e.Key.Method == method && ("/" + route).EndsWith(e.Key.Suffix, StringComparison.OrdinalIgnoreCase)).Value;
        if (example is not null && operation.RequestBody?.Content is { } content)
            foreach (var media in content.Values) media.Example = JsonNode.Parse(example.Replace("@VM", Vm).Replace("@VAULT", Vault).Replace("@SUB", Sub));
        return Task.CompletedTask;
    }
}
