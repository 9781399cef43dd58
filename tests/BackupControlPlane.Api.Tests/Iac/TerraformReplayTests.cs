using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Iac;

/// <summary>
/// What terraform-provider-azurerm sends for azurerm_recovery_services_vault, azurerm_backup_policy_vm and
/// azurerm_backup_protected_vm (azure-vault-security-iac.md §7, from the provider's source), replayed with HttpClient
/// on each resource's api-version: create, refresh, update, a second refresh that must find no drift, destroy.
/// Polling follows the provider's rules: absolute Azure-AsyncOperation URLs, numeric Retry-After, 404 means gone.
/// </summary>
public sealed class TerraformReplayTests
{
    private const string VaultApi = "2025-08-01", ReplicationApi = "2024-04-01", PolicyApi = "2024-10-01", ItemApi = "2023-02-01", ConfigApi = "2023-02-01";

    [Fact]
    public async Task Vault_policy_and_protected_VM_go_through_create_refresh_update_refresh_without_drift_and_destroy()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-tf-" + Guid.NewGuid().ToString("N")[..6];
        var v = ArmTestClient.VaultPath(rg, "tfvault");
        var policy = v + "/backupPolicies/tfpolicy";
        const string vm = "tfvm1";
        var item = ArmTestClient.ItemPath(rg, "tfvault", vm);
        await app.Arm.PutVmAsync(rg, vm);

        // Create: the import checks (404), the PUTs, the 4.x vault-config PATCH (soft delete off), each followed by its Read.
        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, v, VaultApi)).Status);
        var (created, _) = await Call(app, HttpMethod.Put, v, VaultApi, """
            {"location":"eastus","tags":{"env":"test"},"identity":{"type":"SystemAssigned"},"sku":{"name":"Standard"},
             "properties":{"publicNetworkAccess":"Enabled",
               "monitoringSettings":{"azureMonitorAlertSettings":{"alertsForAllJobFailures":"Enabled"},"classicAlertSettings":{"alertsForCriticalOperations":"Disabled"}},
               "redundancySettings":{"crossRegionRestore":"Disabled","standardTierStorageRedundancy":"LocallyRedundant"},
               "securitySettings":{"immutabilitySettings":{"state":"Disabled"}}}}
            """);
        Assert.True(created is HttpStatusCode.OK or HttpStatusCode.Created);
        Assert.Equal("Succeeded", (await Ok(app, HttpMethod.Get, v, VaultApi))["properties"]!["provisioningState"]!.GetValue<string>());
        await Ok(app, HttpMethod.Patch, v + "/backupconfig/vaultconfig", ConfigApi, """{"properties":{"enhancedSecurityState":"Enabled","softDeleteFeatureState":"Disabled"}}""");
        Assert.Equal("Disabled", (await Ok(app, HttpMethod.Get, v + "/backupconfig/vaultconfig", ConfigApi))["properties"]!["softDeleteFeatureState"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, policy, PolicyApi)).Status);
        await Ok(app, HttpMethod.Put, policy, PolicyApi, Policy(30));
        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, item, ItemApi)).Status);
        var (accepted, headers) = await Call(app, HttpMethod.Put, item, ItemApi, $$$"""
            {"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","policyId":"{{{policy}}}","workloadType":"VM",
              "sourceResourceId":"{{{ArmTestClient.VmPath(rg, vm)}}}","friendlyName":"{{{vm}}}","virtualMachineId":"{{{ArmTestClient.VmPath(rg, vm)}}}"}}
            """);
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        await PollSucceeded(app, headers);

        var afterCreate = await Refresh(app, v, policy, item);
        Assert.Equal("test", afterCreate["vault"]!["tags"]!["env"]!.GetValue<string>());
        Assert.Equal("LocallyRedundant", afterCreate["vault"]!["storageMode"]!.GetValue<string>());
        Assert.Equal("Disabled", afterCreate["vault"]!["classicAlerts"]!.GetValue<string>());

        // Update: tags and alerts on the vault (only the changed parts, properties always sent), a longer policy retention.
        await Ok(app, HttpMethod.Get, v, VaultApi);
        await Ok(app, HttpMethod.Patch, v, VaultApi, """{"tags":{"env":"prod"},"properties":{"monitoringSettings":{"classicAlertSettings":{"alertsForCriticalOperations":"Enabled"}}}}""");
        var current = await Ok(app, HttpMethod.Get, policy, PolicyApi);
        current["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"] = 45;
        await Ok(app, HttpMethod.Put, policy, PolicyApi, current.ToJsonString());
        var afterUpdate = await Refresh(app, v, policy, item);
        Assert.Equal("prod", afterUpdate["vault"]!["tags"]!["env"]!.GetValue<string>());
        Assert.Equal("Enabled", afterUpdate["vault"]!["classicAlerts"]!.GetValue<string>());
        Assert.Equal(45, afterUpdate["policy"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        Assert.Equal(afterCreate["vault"]!["principalId"]!.GetValue<string>(), afterUpdate["vault"]!["principalId"]!.GetValue<string>());

        // A second refresh with nothing changed: what Terraform reads is exactly the same (no drift, no plan).
        var again = await Refresh(app, v, policy, item);
        Assert.True(JsonNode.DeepEquals(afterUpdate, again), $"drift:\n{afterUpdate.ToJsonString()}\n{again.ToJsonString()}");

        // Destroy: the item (soft delete is off, so gone at once), the policy, then the vault, each polled to 404.
        var (deleting, deleteHeaders) = await Call(app, HttpMethod.Delete, item, ItemApi);
        Assert.Equal(HttpStatusCode.Accepted, deleting);
        await PollSucceeded(app, deleteHeaders);
        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, item, ItemApi)).Status);
        Assert.True((await Call(app, HttpMethod.Delete, policy, PolicyApi)).Status is HttpStatusCode.OK or HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, policy, PolicyApi)).Status);
        Assert.True((await Call(app, HttpMethod.Delete, v, VaultApi)).Status is HttpStatusCode.Accepted or HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await Call(app, HttpMethod.Get, v, VaultApi)).Status);
    }

    /// <summary>What the three resources' Read functions take into the state.</summary>
    private static async Task<JsonObject> Refresh(EmulatorApp app, string v, string policy, string item)
    {
        var vault = await Ok(app, HttpMethod.Get, v, VaultApi);
        var replication = await Ok(app, HttpMethod.Get, v + "/replicationVaultSettings/default", ReplicationApi);
        var p = vault["properties"]!;
        var state = new JsonObject
        {
            ["vault"] = new JsonObject
            {
                ["location"] = vault["location"]!.DeepClone(), ["sku"] = vault["sku"]!["name"]!.DeepClone(), ["tags"] = vault["tags"]?.DeepClone(),
                ["immutability"] = p["securitySettings"]?["immutabilitySettings"]?["state"]?.DeepClone() ?? "Disabled",
                ["publicNetworkAccess"] = p["publicNetworkAccess"]!.DeepClone(),
                ["jobFailureAlerts"] = p["monitoringSettings"]!["azureMonitorAlertSettings"]!["alertsForAllJobFailures"]!.DeepClone(),
                ["classicAlerts"] = p["monitoringSettings"]!["classicAlertSettings"]!["alertsForCriticalOperations"]!.DeepClone(),
                ["storageMode"] = p["redundancySettings"]?["standardTierStorageRedundancy"]?.DeepClone() ?? "Invalid",
                ["crossRegionRestore"] = p["redundancySettings"]?["crossRegionRestore"]?.DeepClone(),
                ["identity"] = vault["identity"]?["type"]?.DeepClone(), ["principalId"] = vault["identity"]?["principalId"]?.DeepClone(),
                ["encryption"] = p["encryption"]?.DeepClone(),
                ["classicVmware"] = replication["properties"]?["vmwareToAzureProviderType"]?.DeepClone(),
            },
            ["policy"] = (await Ok(app, HttpMethod.Get, policy, PolicyApi))["properties"]!.DeepClone(),
        };
        var protectedItem = (await Ok(app, HttpMethod.Get, item, ItemApi))["properties"]!;
        state["item"] = new JsonObject
        {
            ["sourceVmId"] = protectedItem["sourceResourceId"]!.DeepClone(), ["protectionState"] = protectedItem["protectionState"]!.DeepClone(),
            ["policyId"] = protectedItem["policyId"]!.DeepClone(), ["softDeleted"] = protectedItem["isScheduledForDeferredDelete"]?.DeepClone(),
        };
        return state;
    }

    private static string Policy(int days) => $$$$$$"""
        {"properties":{"backupManagementType":"AzureIaasVM","timeZone":"UTC","instantRpRetentionRangeInDays":2,
          "schedulePolicy":{"schedulePolicyType":"SimpleSchedulePolicy","scheduleRunFrequency":"Daily","scheduleRunTimes":["2026-01-01T23:00:00Z"]},
          "retentionPolicy":{"retentionPolicyType":"LongTermRetentionPolicy","dailySchedule":{"retentionTimes":["2026-01-01T23:00:00Z"],"retentionDuration":{"count":{{{{{{days}}}}}},"durationType":"Days"}}}}}
        """;

    /// <summary>Autorest's LRO poll: the Azure-AsyncOperation URL must be absolute and Retry-After numeric, then poll until Succeeded.</summary>
    private static async Task PollSucceeded(EmulatorApp app, System.Net.Http.Headers.HttpResponseHeaders headers)
    {
        var url = new Uri(headers.GetValues("Azure-AsyncOperation").Single());
        Assert.True(url.IsAbsoluteUri);
        Assert.True(int.TryParse(headers.GetValues("Retry-After").Single(), out _));
        await Poll.Until(async () =>
        {
            using var response = await app.Client.GetAsync(url);
            var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>();
            Assert.NotEqual("Failed", status);
            return status == "Succeeded";
        }, $"the operation {url} to succeed");
    }

    private static async Task<(HttpStatusCode Status, System.Net.Http.Headers.HttpResponseHeaders Headers)> Call(EmulatorApp app, HttpMethod method, string path, string version, string? body = null)
    {
        using var response = await app.Arm.SendAsync(method, path, body, version);
        return (response.StatusCode, response.Headers);
    }

    private static async Task<JsonNode> Ok(EmulatorApp app, HttpMethod method, string path, string version, string? body = null)
    {
        using var response = await app.Arm.SendAsync(method, path, body, version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
