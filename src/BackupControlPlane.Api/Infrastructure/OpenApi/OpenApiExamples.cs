using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BackupControlPlane.Api.Infrastructure.OpenApi;

/// <summary>
/// Request examples in Swagger UI for the calls people make by hand, taken from Azure's own examples so that "Try it
/// out" starts from a body Azure would accept; and response examples for the resources read most, from Azure's own
/// examples too (recoveryservices and recoveryservicesbackup stable/2025-02-01: GETVault.json,
/// Compute_ProtectedItem_Get.json, GetJobDetails.json), with only the properties the emulator returns. All use the
/// walk-through's names. Keyed by route suffix and method.
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

    private static readonly Dictionary<(string Method, string Suffix), string> Responses = new()
    {
        [("GET", "vaults/{vaultName}")] =
            """{"id":"@VAULT","name":"v1","type":"Microsoft.RecoveryServices/vaults","location":"eastus","tags":{},"etag":"W/\"datetime'2026-12-01T10%3A00%3A00Z'\"","sku":{"name":"Standard"},"properties":{"provisioningState":"Succeeded","securitySettings":{"softDeleteSettings":{"softDeleteRetentionPeriodInDays":14,"softDeleteState":"Enabled"}},"redundancySettings":{"standardTierStorageRedundancy":"GeoRedundant","crossRegionRestore":"Disabled"}}}""",
        [("GET", "protectedItems/{protectedItemName}")] =
            """{"id":"@VAULT/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg1;vm1/protectedItems/VM;iaasvmcontainerv2;rg1;vm1","name":"VM;iaasvmcontainerv2;rg1;vm1","type":"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems","properties":{"friendlyName":"vm1","virtualMachineId":"/subscriptions/@SUB/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1","protectionStatus":"Healthy","protectionState":"Protected","healthStatus":"Passed","lastBackupStatus":"Completed","lastBackupTime":"2026-12-01T10:00:32Z","protectedItemType":"Microsoft.Compute/virtualMachines","backupManagementType":"AzureIaasVM","workloadType":"VM","containerName":"iaasvmcontainerv2;rg1;vm1","sourceResourceId":"/subscriptions/@SUB/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1","policyId":"@VAULT/backupPolicies/DefaultPolicy","policyName":"DefaultPolicy","lastRecoveryPoint":"2026-12-01T10:00:32Z"}}""",
        [("GET", "backupJobs/{jobName}")] =
            """{"id":"@VAULT/backupJobs/00000000-0000-0000-0000-00000000b001","name":"00000000-0000-0000-0000-00000000b001","type":"Microsoft.RecoveryServices/vaults/backupJobs","properties":{"jobType":"AzureIaaSVMJob","duration":"PT9.8782791S","virtualMachineVersion":"Compute","extendedInfo":{"tasksList":[{"taskId":"Take Snapshot","duration":"PT2S","status":"Completed"},{"taskId":"Transfer data to vault","duration":"PT0S","status":"InProgress"}],"propertyBag":{"VM Name":"vm1"}},"entityFriendlyName":"vm1","backupManagementType":"AzureIaasVM","operation":"Backup","status":"InProgress","startTime":"2026-12-01T10:00:07Z","activityId":"00000000-0000-0000-0000-000000000000"}}""",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var route = context.Description.RelativePath ?? "";
        var method = context.Description.HttpMethod ?? "";
        var example = Examples.FirstOrDefault(e => e.Key.Method == method && ("/" + route).EndsWith(e.Key.Suffix, StringComparison.OrdinalIgnoreCase)).Value;
        if (example is not null && operation.RequestBody?.Content is { } content)
            foreach (var media in content.Values) media.Example = JsonNode.Parse(example.Replace("@VM", Vm).Replace("@VAULT", Vault).Replace("@SUB", Sub));
        var response = Responses.FirstOrDefault(e => e.Key.Method == method && ("/" + route).EndsWith("/" + e.Key.Suffix, StringComparison.OrdinalIgnoreCase)).Value;
        if (response is not null && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse answer)
        {
            answer.Content ??= new Dictionary<string, OpenApiMediaType>();
            if (!answer.Content.TryGetValue("application/json", out var media)) answer.Content["application/json"] = media = new OpenApiMediaType();
            media.Example = JsonNode.Parse(response.Replace("@VAULT", Vault).Replace("@SUB", Sub));
        }
        return Task.CompletedTask;
    }
}
