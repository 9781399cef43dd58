using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Features.Policies;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.ResourceGuards;

/// <summary>
/// Multi-user authorization end to end over HTTP: while a Resource Guard protects a vault, its critical operations are
/// refused (403 LinkedAuthorizationFailed) unless the request names the guard's request (writes) or follows an
/// unlockDelete (deletes); operations the guard excludes, and ordinary ones, go through as before.
/// </summary>
public sealed class MuaEnforcementTests
{
    private static string NewVm() => "mua" + Guid.NewGuid().ToString("N")[..6];

    private static object StopBody(string rg, string vm, params string[] requests) => new
    {
        properties = new
        {
            protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, vm), policyId = "",
            protectionState = "ProtectionStopped", resourceGuardOperationRequests = requests,
        },
    };

    [Fact]
    public async Task Stop_protection_with_delete_data_needs_an_unlockDelete_for_that_item_and_keep_data_needs_the_request()
    {
        var app = await EmulatorApp.SharedAsync();
        var (rg, vm) = (GuardScenario.NewRg(), NewVm());
        await app.Arm.ProtectedVmAsync(rg, GuardScenario.Vault, vm);
        var s = await GuardScenario.MappedAsync(app.Arm, rg);
        var item = ArmTestClient.ItemPath(rg, GuardScenario.Vault, vm);

        using (var refused = await app.Arm.SendAsync(HttpMethod.Put, item, StopBody(rg, vm))) await s.AssertRefusedAsync(refused, "stopProtectionWithRetainDataRequests");
        using (var stopped = await app.Arm.SendAsync(HttpMethod.Put, item, StopBody(rg, vm, s.Request("stopProtectionWithRetainDataRequests"))))
            Assert.Equal(HttpStatusCode.Accepted, stopped.StatusCode);
        await Poll.Until(async () => (await app.Arm.GetAsync(item))["properties"]!["protectionState"]!.GetValue<string>() == "ProtectionStopped", "the item to stop");

        using (var refused = await app.Arm.SendAsync(HttpMethod.Delete, item)) await s.AssertRefusedAsync(refused, "deleteProtectedItemRequests");
        // An unlock for another item does not open this one.
        using (var other = await s.UnlockAsync("deleteProtectedItemRequests", ArmTestClient.ItemPath(rg, GuardScenario.Vault, "othervm")))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var refused = await app.Arm.SendAsync(HttpMethod.Delete, item)) await s.AssertRefusedAsync(refused, "deleteProtectedItemRequests");

        using (var unlocked = await s.UnlockAsync("deleteProtectedItemRequests", item)) Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, item)) Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        // Used up: the next critical delete needs a new unlock.
        using (var again = await app.Arm.SendAsync(HttpMethod.Delete, item)) await s.AssertRefusedAsync(again, "deleteProtectedItemRequests");
    }

    [Fact]
    public async Task Reducing_a_policys_retention_or_moving_an_item_to_a_shorter_one_needs_the_request_and_lengthening_does_not()
    {
        var app = await EmulatorApp.SharedAsync();
        var (rg, vm) = (GuardScenario.NewRg(), NewVm());
        await app.Arm.ProtectedVmAsync(rg, GuardScenario.Vault, vm); // DefaultPolicy: 30 days
        var s = await GuardScenario.MappedAsync(app.Arm, rg);
        var policy = s.VaultPath + "/backupPolicies/short";
        using (var created = await app.Arm.SendAsync(HttpMethod.Put, policy, PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 10))) Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using (var longer = await app.Arm.SendAsync(HttpMethod.Put, policy, PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 20))) Assert.Equal(HttpStatusCode.OK, longer.StatusCode);

        using (var refused = await app.Arm.SendAsync(HttpMethod.Put, policy, PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 7)))
            await s.AssertRefusedAsync(refused, "updateProtectionPolicyRequests");
        Assert.Equal(20, (await app.Arm.GetAsync(policy))["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        using (var authorised = await app.Arm.SendAsync(HttpMethod.Put, policy, WithRequests(PolicyTests.DailyPolicy("2026-01-01T22:00:00Z", 7), s.Request("updateProtectionPolicyRequests"))))
            Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        Assert.Equal(7, (await app.Arm.GetAsync(policy))["properties"]!["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());

        // The item moves from DefaultPolicy (30 days) to 'short' (7 days): modify protection with reduced retention.
        using (var refused = await app.Arm.EnableProtectionAsync(rg, GuardScenario.Vault, vm, "short")) await s.AssertRefusedAsync(refused, "updateProtectedItemRequests");
        var move = JsonSerializer.SerializeToNode(new
        {
            properties = new
            {
                protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, vm), policyId = policy,
                resourceGuardOperationRequests = new[] { s.Request("updateProtectedItemRequests") },
            },
        });
        using (var moved = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.ItemPath(rg, GuardScenario.Vault, vm), move!.ToJsonString()))
            Assert.True(moved.IsSuccessStatusCode, $"{(int)moved.StatusCode}: {await moved.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Operations_the_guard_excludes_need_no_approval_and_an_unmapped_vault_none_at_all()
    {
        var app = await EmulatorApp.SharedAsync();
        var (rg, vm) = (GuardScenario.NewRg(), NewVm());
        await app.Arm.ProtectedVmAsync(rg, GuardScenario.Vault, vm);
        await GuardScenario.MappedAsync(app.Arm, rg, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete");
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.ItemPath(rg, GuardScenario.Vault, vm))) Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);

        var (rg2, vm2) = (GuardScenario.NewRg(), NewVm());
        await app.Arm.ProtectedVmAsync(rg2, GuardScenario.Vault, vm2);
        using (var plain = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.ItemPath(rg2, GuardScenario.Vault, vm2))) Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
    }

    private static string WithRequests(object body, params string[] requests)
    {
        var node = JsonSerializer.SerializeToNode(body)!;
        node["properties"]!["resourceGuardOperationRequests"] = new JsonArray(requests.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray());
        return node.ToJsonString();
    }
}
