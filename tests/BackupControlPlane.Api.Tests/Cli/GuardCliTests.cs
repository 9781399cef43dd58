using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Multi-user authorization and RBAC with Debian's az 2.45: `backup vault resource-guard-mapping update/show/delete`,
/// `protection disable --delete-backup-data` on a vault a Resource Guard protects (az's unlockDelete-then-DELETE flow),
/// The guard itself is PUT over ARM (az 2.45 has no dataprotection commands). Debian's az 2.45 cannot exercise RBAC:
/// `role assignment create` fails in the client before any request ('RoleAssignmentsOperations' object has no attribute
/// 'config') and `role assignment list` needs Microsoft Graph for principal names, which the emulator does not serve.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class GuardCliTests(AzCliFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Resource_guard_mapping_update_show_then_protection_disable_with_delete_data_and_mapping_delete_go_through_unlockDelete()
    {
        var s = new AzCliScenario(fx, output, "guard");
        await fx.Arm.ProtectedVmAsync(s.Rg, "vault1", "vm1");
        var guardId = $"{ArmTestClient.Rg(s.Rg)}/providers/Microsoft.DataProtection/resourceGuards/guard1";
        using (var guard = await fx.Arm.SendAsync(HttpMethod.Put, guardId, new { location = "eastus" }, "2025-07-01")) Assert.Equal(HttpStatusCode.Created, guard.StatusCode);

        var mapped = (await s.Az("backup", "vault", "resource-guard-mapping", "update", "-g", s.Rg, "-n", "vault1", "--resource-guard-id", guardId, "-o", "json")).Json();
        Assert.Equal(guardId, mapped["properties"]!["resourceGuardResourceId"]!.GetValue<string>(), ignoreCase: true);
        var shown = (await s.Az("backup", "vault", "resource-guard-mapping", "show", "-g", s.Rg, "-n", "vault1", "-o", "json")).Json();
        Assert.Equal("VaultProxy", shown["name"]!.GetValue<string>());

        // Stop protection and delete data: az unlocks the delete through the mapping, then deletes.
        (await s.Az("backup", "protection", "disable", "-g", s.Rg, "-v", "vault1", "-c", "vm1", "-i", "vm1", "--backup-management-type", "AzureIaasVM",
            "--delete-backup-data", "true", "--yes", "-o", "json")).AssertSucceeded();
        var item = await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, "vault1", "vm1"));
        Assert.True(item["properties"]!["isScheduledForDeferredDelete"]!.GetValue<bool>());

        (await s.Az("backup", "vault", "resource-guard-mapping", "delete", "-g", s.Rg, "-n", "vault1", "--yes")).AssertSucceeded();
        Assert.False((await s.Az("backup", "vault", "resource-guard-mapping", "show", "-g", s.Rg, "-n", "vault1")).Succeeded);
    }
}
