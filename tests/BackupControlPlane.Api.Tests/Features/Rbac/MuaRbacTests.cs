using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Rbac;

/// <summary>
/// Multi-user authorization with RBAC enforced: a critical operation needs, besides the vault permission, permission on
/// the Resource Guard's request (Backup MUA Operator there), checked on the unlockDelete or on the write naming it.
/// </summary>
[Collection(RbacFixture.Collection)]
public sealed class MuaRbacTests(RbacFixture f)
{
    private const string BackupContributor = "5e467623-bb1f-42f4-a55d-6e525e11384b";
    private const string BackupMuaOperator = "f54b6d04-23c6-443e-b462-9c16ab7b4a52";

    [Fact]
    public async Task A_Backup_Contributor_removes_a_guarded_mapping_only_once_it_is_Backup_MUA_Operator_on_the_guard()
    {
        var vault = ArmTestClient.VaultPath(RbacFixture.Rg, "vault-mua");
        await f.App.Arm.PutVaultAsync(RbacFixture.Rg, "vault-mua");
        var guard = $"{ArmTestClient.Rg("rg-rbac-guards")}/providers/Microsoft.DataProtection/resourceGuards/guard1";
        using (var created = await f.App.Arm.SendAsync(HttpMethod.Put, guard, new { location = "eastus" }, "2025-07-01")) Assert.True(created.IsSuccessStatusCode);
        var proxy = vault + "/backupResourceGuardProxies/VaultProxy";
        using (var mapped = await f.App.Arm.SendAsync(HttpMethod.Put, proxy, new { properties = new { resourceGuardResourceId = guard } })) Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);

        var (arm, oid) = await f.PrincipalAsync("backup-admin");
        await f.AssignAsync(ArmTestClient.Rg(RbacFixture.Rg), BackupContributor, oid);
        var unlock = new { resourceGuardOperationRequests = new[] { guard + "/deleteResourceGuardProxyRequests/default" } };
        using (var refused = await arm.SendAsync(HttpMethod.Post, proxy + "/unlockDelete", unlock))
        {
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, text);
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.Equal("LinkedAuthorizationFailed", error["code"]!.GetValue<string>());
            Assert.Contains($"with object id '{oid}' has permission to perform action 'Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/unlockDelete/action'", error["message"]!.GetValue<string>());
            Assert.Contains($"'Microsoft.DataProtection/resourceGuards/deleteResourceGuardProxyRequests/read' on the linked scope(s) '{guard}/deleteResourceGuardProxyRequests/default'", error["message"]!.GetValue<string>());
        }
        using (var stillMapped = await arm.SendAsync(HttpMethod.Delete, proxy)) Assert.Equal(HttpStatusCode.Forbidden, stillMapped.StatusCode);

        // The guard's owner (the security admin) grants the approval role on the guard.
        await f.AssignAsync(guard, BackupMuaOperator, oid);
        using (var unlocked = await arm.SendAsync(HttpMethod.Post, proxy + "/unlockDelete", unlock)) Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        using (var deleted = await arm.SendAsync(HttpMethod.Delete, proxy)) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Empty((await arm.GetAsync(vault + "/backupResourceGuardProxies"))["value"]!.AsArray());
    }
}
