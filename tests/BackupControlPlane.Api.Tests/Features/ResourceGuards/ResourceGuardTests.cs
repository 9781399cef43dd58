using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.ResourceGuards;

/// <summary>Resource Guards and vault mappings over HTTP, as the az CLI, Terraform and the portal send them.</summary>
public sealed class ResourceGuardTests
{
    [Fact]
    public async Task A_guard_is_created_read_tagged_listed_and_deleted_and_lists_the_operations_it_protects()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = GuardScenario.NewRg();
        var s = new GuardScenario(app.Arm, rg, "guard1");
        var created = await s.PutGuardAsync("Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete");
        Assert.Equal("Microsoft.DataProtection/resourceGuards", created["type"]!.GetValue<string>());
        var props = created["properties"]!;
        Assert.Equal("Succeeded", props["provisioningState"]!.GetValue<string>());
        Assert.Equal(["Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete"],
            props["vaultCriticalOperationExclusionList"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains(props["resourceGuardOperations"]!.AsArray(), o =>
            o!["vaultCriticalOperation"]!.GetValue<string>() == "Microsoft.RecoveryServices/vaults/backupconfig/write"
            && o["requestResourceType"]!.GetValue<string>() == "Microsoft.DataProtection/resourceGuards/disableSoftDeleteRequests");

        using var patched = await app.Arm.SendAsync(HttpMethod.Patch, s.GuardPath, new { tags = new { team = "sec2" } }, GuardScenario.GuardApi);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("sec2", (await app.Arm.GetAsync(s.GuardPath, GuardScenario.GuardApi))["tags"]!["team"]!.GetValue<string>());
        var request = await app.Arm.GetAsync(s.GuardPath + "/deleteProtectedItemRequests/default", GuardScenario.GuardApi);
        Assert.Equal("Microsoft.DataProtection/resourceGuards/deleteProtectedItemRequests", request["type"]!.GetValue<string>());
        var inGroup = (await app.Arm.GetAsync($"{ArmTestClient.Rg(rg)}/providers/Microsoft.DataProtection/resourceGuards", GuardScenario.GuardApi))["value"]!.AsArray();
        Assert.Equal(["guard1"], inGroup.Select(g => g!["name"]!.GetValue<string>()));
        var resources = (await app.Arm.GetAsync($"{ArmTestClient.Rg(rg)}/resources", "2021-04-01"))["value"]!.AsArray();
        Assert.Contains(resources, r => r!["type"]!.GetValue<string>() == "Microsoft.DataProtection/resourceGuards");

        using var deleted = await app.Arm.SendAsync(HttpMethod.Delete, s.GuardPath, version: GuardScenario.GuardApi);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await app.Arm.SendAsync(HttpMethod.Get, s.GuardPath, version: GuardScenario.GuardApi);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_guard_refuses_to_exclude_the_mandatory_operations_and_unknown_ones_by_name()
    {
        var app = await EmulatorApp.SharedAsync();
        var s = new GuardScenario(app.Arm, GuardScenario.NewRg(), "guard1");
        foreach (var exclusion in new[] { "Microsoft.RecoveryServices/vaults/backupconfig/write", "Microsoft.RecoveryServices/vaults/nothing/write" })
        {
            using var response = await app.Arm.SendAsync(HttpMethod.Put, s.GuardPath,
                new { location = "eastus", properties = new { vaultCriticalOperationExclusionList = new[] { exclusion } } }, GuardScenario.GuardApi);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(exclusion, text);
        }
    }

    [Fact]
    public async Task A_vault_maps_one_guard_which_cannot_be_deleted_under_it_and_the_mapping_shows_each_request_to_name()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = GuardScenario.NewRg();
        await app.Arm.PutVaultAsync(rg, GuardScenario.Vault);
        var s = new GuardScenario(app.Arm, rg, "guard1");
        // The CLI lists the mappings before many commands; Terraform reads VaultProxy and expects 404 before creating it.
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupResourceGuardProxies"))["value"]!.AsArray());
        using (var missing = await app.Arm.SendAsync(HttpMethod.Get, s.ProxyPath)) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var noGuard = await app.Arm.SendAsync(HttpMethod.Put, s.ProxyPath, new { properties = new { resourceGuardResourceId = s.GuardPath } }))
            Assert.Equal(HttpStatusCode.BadRequest, noGuard.StatusCode);

        s = await GuardScenario.MappedAsync(app.Arm, rg);
        var proxy = await app.Arm.GetAsync(s.ProxyPath);
        Assert.Equal("Microsoft.RecoveryServices/vaults/backupResourceGuardProxies", proxy["type"]!.GetValue<string>());
        var details = proxy["properties"]!["resourceGuardOperationDetails"]!.AsArray();
        var disable = details.Single(d => d!["vaultCriticalOperation"]!.GetValue<string>() == "Microsoft.RecoveryServices/vaults/backupconfig/write")!;
        Assert.Equal(s.Request("disableSoftDeleteRequests"), disable["defaultResourceRequest"]!.GetValue<string>(), ignoreCase: true);
        Assert.Contains("/resourcegroups/", proxy["properties"]!["resourceGuardResourceId"]!.GetValue<string>()); // lowercase, as Azure echoes it
        Assert.Single((await app.Arm.GetAsync(s.VaultPath + "/backupResourceGuardProxies"))["value"]!.AsArray());

        using var deleteGuard = await app.Arm.SendAsync(HttpMethod.Delete, s.GuardPath, version: GuardScenario.GuardApi);
        Assert.Equal(HttpStatusCode.Conflict, deleteGuard.StatusCode);
        Assert.Contains("VaultProxy", await deleteGuard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Removing_the_mapping_needs_an_unlockDelete_naming_the_guards_request_and_uses_it_up()
    {
        var app = await EmulatorApp.SharedAsync();
        var s = await GuardScenario.MappedAsync(app.Arm, GuardScenario.NewRg());
        using (var refused = await app.Arm.SendAsync(HttpMethod.Delete, s.ProxyPath)) await s.AssertRefusedAsync(refused, "deleteResourceGuardProxyRequests");
        // An unlock for another operation does not open this one.
        using (var other = await s.UnlockAsync("deleteProtectedItemRequests")) Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var stillRefused = await app.Arm.SendAsync(HttpMethod.Delete, s.ProxyPath)) await s.AssertRefusedAsync(stillRefused, "deleteResourceGuardProxyRequests");
        using (var foreign = await app.Arm.SendAsync(HttpMethod.Post, s.ProxyPath + "/unlockDelete",
                   new { resourceGuardOperationRequests = new[] { $"{ArmTestClient.Rg("elsewhere")}/providers/Microsoft.DataProtection/resourceGuards/g/deleteResourceGuardProxyRequests/default" } }))
            Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);

        using var unlocked = await s.UnlockAsync("deleteResourceGuardProxyRequests");
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        var expiry = JsonNode.Parse(await unlocked.Content.ReadAsStringAsync())!["unlockDeleteExpiryTime"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        using var deleted = await app.Arm.SendAsync(HttpMethod.Delete, s.ProxyPath);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Empty((await app.Arm.GetAsync(s.VaultPath + "/backupResourceGuardProxies"))["value"]!.AsArray());
        // Unmapped, the guard can go.
        using var guardDeleted = await app.Arm.SendAsync(HttpMethod.Delete, s.GuardPath, version: GuardScenario.GuardApi);
        Assert.Equal(HttpStatusCode.OK, guardDeleted.StatusCode);
    }
}
