using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Api.Tests.Oracle;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>
/// Azure's routes and query options that used to answer the generic 404 or be dropped: each now works as Azure's does,
/// or is refused by name. One backed-up VM (and one unprotected) shared by the class.
/// </summary>
public sealed class SpecGapTests(OracleScenarioFixture fixture) : IClassFixture<OracleScenarioFixture>
{
    private static string Filter(string filter) => "?$filter=" + Uri.EscapeDataString(filter);

    [Fact]
    public async Task A_protection_container_is_found_by_name_as_the_list_shows_it_and_a_wrong_name_is_not_found()
    {
        var (app, s) = await ScenarioAsync();
        var listed = Assert.Single((await app.Arm.GetAsync(s.VaultPath + "/backupProtectionContainers" + Filter($"backupManagementType eq 'AzureIaasVM' and friendlyName eq '{s.Vm}' and status eq 'Registered'")))["value"]!.AsArray())!;
        var container = s.VaultPath + "/backupFabrics/Azure/protectionContainers/";
        Assert.Equal(listed.ToJsonString(), (await app.Arm.GetAsync(container + listed["name"]!.GetValue<string>())).ToJsonString());
        Assert.Equal(listed["id"]!.GetValue<string>(), (await app.Arm.GetAsync(container + $"iaasvmcontainerv2;{s.Rg};{s.Vm}"))["id"]!.GetValue<string>());
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, container + $"IaasVMContainer;iaasvmcontainerv2;{s.Rg};{s.SpareVm}"), HttpStatusCode.NotFound, "ResourceNotFound", s.SpareVm);
        // The list's filter no longer ignores what it does not match.
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupProtectionContainers" + Filter("backupManagementType eq 'AzureWorkload'")))["value"]!.AsArray());
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupProtectionContainers" + Filter("containerType eq 'StorageContainer'")))["value"]!.AsArray());
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, s.VaultPath + "/backupProtectionContainers" + Filter("region eq 'eastus'")), HttpStatusCode.BadRequest, "InvalidRequestContent", "region");
    }

    [Fact]
    public async Task Usage_summaries_count_the_protected_VMs_and_the_bytes_of_their_vault_copies()
    {
        var (app, s) = await ScenarioAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var vaultKey = BackupControlPlane.Api.Infrastructure.ResourceKeys.Of(ArmTestClient.Sub, s.Rg, s.Vault);
        var stored = await db.RecoveryPointDisks.Where(d => db.RecoveryPoints.Any(r => r.Id == d.RecoveryPointId && r.HardenedRpValid
            && db.ProtectedItems.Any(i => i.Id == r.ProtectedItemId && i.Vault!.Key == vaultKey))).SumAsync(d => d.SizeBytes);
        Assert.True(stored > 0, "the scenario's backup copied nothing to the vault");

        var all = (await app.Arm.GetAsync(s.VaultPath + "/backupUsageSummaries"))["value"]!.AsArray();
        Assert.Equal(1, all.Single(u => u!["unit"]!.GetValue<string>() == "Count")!["currentValue"]!.GetValue<long>());
        Assert.Equal(stored, all.Single(u => u!["unit"]!.GetValue<string>() == "Bytes")!["currentValue"]!.GetValue<long>());
        foreach (var type in new[] { "BackupProtectedItemCountSummary", "BackupProtectionContainerCountSummary" })
        {
            var usage = Assert.Single((await app.Arm.GetAsync(s.VaultPath + "/backupUsageSummaries" + Filter($"type eq '{type}'")))["value"]!.AsArray())!;
            Assert.Equal("AzureIaasVM", usage["name"]!["value"]!.GetValue<string>());
            Assert.Equal(1, usage["currentValue"]!.GetValue<long>());
        }
        using var client = Unrecorded(app); // BackupUsageSummaries_List declares no error answer in Azure's spec
        await AssertErrorAsync(client.GetAsync(ArmTestClient.WithVersion(s.VaultPath + "/backupUsageSummaries" + Filter("backupManagementType eq 'AzureIaasVM'"))), HttpStatusCode.BadRequest, "InvalidRequestContent", "backupManagementType");
        await AssertErrorAsync(client.GetAsync(ArmTestClient.WithVersion(s.VaultPath + "/backupUsageSummaries" + Filter("type eq 'Storage'"))), HttpStatusCode.BadRequest, "InvalidRequestContent", "Storage");
    }

    [Fact]
    public async Task A_VM_only_vault_has_no_backup_engines_and_no_resource_guard_and_mapping_a_missing_one_is_refused()
    {
        var (app, s) = await ScenarioAsync();
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupEngines"))["value"]!.AsArray());
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, s.VaultPath + "/backupEngines/dpm1"), HttpStatusCode.NotFound, "ResourceNotFound", "backupEngines/dpm1");
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupResourceGuardProxies"))["value"]!.AsArray());
        var proxy = s.VaultPath + "/backupResourceGuardProxies/VaultProxy";
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, proxy), HttpStatusCode.NotFound, "ResourceNotFound", "VaultProxy");
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Put, proxy, new { properties = new { resourceGuardResourceId = $"/subscriptions/{ArmTestClient.Sub}/resourceGroups/{s.Rg}/providers/Microsoft.DataProtection/resourceGuards/g1" } }),
            HttpStatusCode.BadRequest, "InvalidParameter", "names no Resource Guard");
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, proxy), HttpStatusCode.NotFound, "ResourceNotFound", "VaultProxy");
    }

    [Fact]
    public async Task Recovery_points_are_filtered_by_the_dates_the_CLI_sends_and_other_filters_are_refused()
    {
        var (app, s) = await ScenarioAsync();
        var points = s.ItemPath + "/recoveryPoints";
        var time = DateTimeOffset.Parse((await app.Arm.GetAsync(points + "/" + s.RecoveryPointId))["properties"]!["recoveryPointTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        static string Cli(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd hh:mm:ss tt", CultureInfo.InvariantCulture); // the CLI's '%Y-%m-%d %I:%M:%S %p'
        string Range(DateTimeOffset from, DateTimeOffset to) => points + Filter($"endDate eq '{Cli(to)}' and startDate eq '{Cli(from)}'");

        Assert.Equal([s.RecoveryPointId], (await app.Arm.GetAsync(Range(time.AddDays(-1), time.AddDays(1))))["value"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Empty((await app.Arm.GetAsync(Range(time.AddDays(1), time.AddDays(30))))["value"]!.AsArray());
        Assert.Empty((await app.Arm.GetAsync(Range(time.AddDays(-30), time.AddDays(-1))))["value"]!.AsArray());
        Assert.Single((await app.Arm.GetAsync(points + Filter("restorePointQueryType eq 'All'")))["value"]!.AsArray());
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, points + Filter("restorePointQueryType eq 'Log'")), HttpStatusCode.BadRequest, "InvalidRequestContent", "restorePointQueryType");
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, points + Filter("includeSoftDeletedRP eq 'true'")), HttpStatusCode.BadRequest, "InvalidRequestContent", "includeSoftDeletedRP");
    }

    [Fact]
    public async Task Protectable_items_honour_the_workload_and_management_type_of_the_filter()
    {
        var (app, s) = await ScenarioAsync();
        string Names(JsonNode list) => string.Join(",", list["value"]!.AsArray().Select(i => i!["properties"]!["friendlyName"]!.GetValue<string>()).Where(n => n == s.SpareVm));
        var protectable = s.VaultPath + "/backupProtectableItems";
        Assert.Equal(s.SpareVm, Names(await app.Arm.GetAsync(protectable + Filter("backupManagementType eq 'AzureIaasVM' and workloadType eq 'VM'"))));
        // az backup protectable-item list --workload-type MSSQL
        Assert.Empty((await app.Arm.GetAsync(protectable + Filter("backupManagementType eq 'AzureWorkload' and workloadType eq 'SQLDataBase'")))["value"]!.AsArray());
        Assert.Empty((await app.Arm.GetAsync(protectable + Filter("workloadType eq 'SAPHanaDatabase'")))["value"]!.AsArray());
        Assert.Equal(s.SpareVm, Names(await app.Arm.GetAsync(protectable + Filter($"backupManagementType eq 'AzureIaasVM' and friendlyName eq '{s.SpareVm}'"))));
        Assert.Empty((await app.Arm.GetAsync(protectable + Filter($"friendlyName eq '{s.Vm}'")))["value"]!.AsArray()); // protected already
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, protectable + Filter("serverName eq 'x'")), HttpStatusCode.BadRequest, "InvalidRequestContent", "serverName");
    }

    [Fact]
    public async Task Undelete_of_an_item_that_is_not_deleted_is_refused_and_leaves_it_protected()
    {
        var (app, s) = await ScenarioAsync();
        var before = (await app.Arm.GetAsync(s.ItemPath))["properties"]!["protectionState"]!.GetValue<string>();
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Put, s.ItemPath, new
        {
            properties = new { protectedItemType = "Microsoft.Compute/virtualMachines", protectionState = "ProtectionStopped", policyId = "", sourceResourceId = ArmTestClient.VmPath(s.Rg, s.Vm), isRehydrate = true },
        }), HttpStatusCode.BadRequest, "UserErrorBackupItemNotSoftDeleted", "not soft-deleted");
        Assert.NotEqual("ProtectionStopped", before);
        Assert.Equal(before, (await app.Arm.GetAsync(s.ItemPath))["properties"]!["protectionState"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_new_point_is_neither_recommended_for_nor_moved_to_the_archive_tier_and_file_recovery_for_another_VM_is_refused()
    {
        var (app, s) = await ScenarioAsync();
        var point = s.ItemPath + "/recoveryPoints/" + s.RecoveryPointId;
        using (var recommended = await app.Arm.SendAsync(HttpMethod.Post, s.ItemPath + "/recoveryPointsRecommendedForMove", new { excludedRPList = Array.Empty<string>() }))
        {
            Assert.Equal(HttpStatusCode.OK, recommended.StatusCode);
            Assert.Empty(System.Text.Json.Nodes.JsonNode.Parse(await recommended.Content.ReadAsStringAsync())!["value"]!.AsArray());
        }
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Post, point + "/move", new { sourceTierType = "HardenedRP", targetTierType = "ArchivedRP" }), HttpStatusCode.BadRequest, "RecoveryPointTypeNotEligibleForArchive", "monthly or yearly");
        // File recovery works (Cli/AzCrossRegionAndFileRecoveryTests); a request for another VM is refused before anything is copied.
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Post, point + "/provisionInstantItemRecovery", new { properties = new { objectType = "IaasVMILRRegistrationRequest",
            virtualMachineId = ArmTestClient.VmPath(s.Rg, "someothervm") } }), HttpStatusCode.BadRequest, "InvalidRequestContent", "not the VM this item protects");
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Post, s.ItemPath + "/recoveryPoints/404/move", new { sourceTierType = "HardenedRP", targetTierType = "ArchivedRP" }), HttpStatusCode.NotFound, "ResourceNotFound", "recoveryPoints/404");
    }

    [Fact]
    public async Task Azure_operations_without_an_emulated_route_are_refused_by_name_after_the_token_check()
    {
        var (app, s) = await ScenarioAsync();
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Post, s.VaultPath + "/backupJobsExport"), HttpStatusCode.BadRequest, "BMSUserErrorNotSupported", "Jobs_Export");
        // A method the route does not have (405 before): the operation, with its provider's code.
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Put, s.VaultPath + "/backupEncryptionConfigs/backupResourceEncryptionConfig", new { properties = new { encryptionAtRestType = "MicrosoftManaged" } }),
            HttpStatusCode.BadRequest, "BMSUserErrorNotSupported", "BackupResourceEncryptionConfigs_Update");
        using var anonymous = app.NewHttpClient();
        await AssertErrorAsync(anonymous.PostAsync(ArmTestClient.WithVersion(s.VaultPath + "/backupJobsExport"), null), HttpStatusCode.Unauthorized, "AuthenticationFailed", "Authorization");
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Post, s.VaultPath.Replace(ArmTestClient.Sub, "not-a-guid") + "/backupJobsExport"), HttpStatusCode.BadRequest, "InvalidSubscriptionId", "not-a-guid");
        // Paths that are not Azure's keep the generic answer.
        await AssertErrorAsync(app.Arm.SendAsync(HttpMethod.Get, s.VaultPath + "/backupNoSuchThing"), HttpStatusCode.NotFound, "NotFound", "No emulated ARM resource");
    }

    [Fact]
    public async Task Provider_operation_lists_name_what_the_emulator_implements_in_ARM_shape()
    {
        var (app, _) = await ScenarioAsync();
        var backup = (await app.Arm.GetAsync("/providers/Microsoft.RecoveryServices/operations"))["value"]!.AsArray();
        var names = backup.Select(o => o!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("Microsoft.RecoveryServices/vaults/backupPolicies/write", names);
        Assert.Contains("Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints/restore/action", names);
        Assert.Contains("Microsoft.RecoveryServices/locations/backupStatus/action", names);
        Assert.DoesNotContain("Microsoft.RecoveryServices/vaults/backupJobsExport/action", names); // Azure has it; the emulator does not
        var display = backup[0]!["display"]!;
        Assert.Equal("Microsoft Recovery Services", display["provider"]!.GetValue<string>());
        Assert.All(new[] { "resource", "operation", "description" }, k => Assert.False(string.IsNullOrEmpty(display[k]!.GetValue<string>())));
        Assert.Contains("Microsoft.Compute/virtualMachines/write", (await app.Arm.GetAsync("/providers/Microsoft.Compute/operations"))["value"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        Assert.Contains("Microsoft.Resources/subscriptions/read", (await app.Arm.GetAsync("/providers/Microsoft.Resources/operations"))["value"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        Assert.NotNull((await app.Arm.GetAsync("/providers/Microsoft.Network/operations"))["value"]);

        using var client = Unrecorded(app); // Operations_List declares no error answer in Azure's spec
        await AssertErrorAsync(client.GetAsync("/providers/Microsoft.RecoveryServices/operations"), HttpStatusCode.BadRequest, "MissingApiVersionParameter", "api-version");
        await AssertErrorAsync(client.GetAsync(ArmTestClient.WithVersion("/providers/Microsoft.Nothing/operations")), HttpStatusCode.NotFound, "InvalidResourceNamespace", "Microsoft.Nothing");
        using var anonymous = app.NewHttpClient();
        await AssertErrorAsync(anonymous.GetAsync(ArmTestClient.WithVersion("/providers/Microsoft.RecoveryServices/operations")), HttpStatusCode.Unauthorized, "AuthenticationFailed", "Authorization");
    }

    private async Task<(EmulatorApp App, OracleScenario Scenario)> ScenarioAsync() => (await EmulatorApp.SharedAsync(), await fixture.Scenario);

    private static HttpClient Unrecorded(EmulatorApp app)
    {
        var client = app.NewHttpClient();
        client.DefaultRequestHeaders.Authorization = app.Client.DefaultRequestHeaders.Authorization;
        return client;
    }

    private static async Task AssertErrorAsync(Task<HttpResponseMessage> sending, HttpStatusCode status, string code, string mentions)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Contains(mentions, error["message"]!.GetValue<string>());
    }
}
