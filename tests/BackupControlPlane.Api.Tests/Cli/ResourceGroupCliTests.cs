using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// `az group` and `az resource list` (issue 16: `az group create` used to exit 3 on the generic 404). VMs and vaults
/// are made through ARM, as in AzCliTests, so each az command is exercised here only.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class ResourceGroupCliTests(AzCliFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Group_create_show_exists_update_list_and_resource_list_then_delete_takes_the_VM_and_the_empty_vault()
    {
        var s = new AzCliScenario(fx, output, "group");

        Assert.Equal("false", (await s.Az("group", "exists", "-n", s.Rg)).StdOut.Trim());
        var created = (await s.Az("group", "create", "-n", s.Rg, "-l", "eastus", "-o", "json")).Json();
        Assert.Equal(ArmTestClient.Rg(s.Rg), created["id"]!.GetValue<string>());
        Assert.Equal("eastus", created["location"]!.GetValue<string>());
        Assert.Equal("Succeeded", created["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.Equal("true", (await s.Az("group", "exists", "-n", s.Rg)).StdOut.Trim());
        Assert.Equal(s.Rg, (await s.Az("group", "show", "-n", s.Rg, "-o", "json")).Json()["name"]!.GetValue<string>());

        var tag = "t" + s.Rg[^6..];
        var updated = (await s.Az("group", "update", "-n", s.Rg, "--tags", $"suite={tag}", "-o", "json")).Json();
        Assert.Equal(tag, updated["tags"]!["suite"]!.GetValue<string>());
        var listed = (await s.Az("group", "list", "--tag", $"suite={tag}", "-o", "json")).Json().AsArray();
        Assert.Equal(s.Rg, Assert.Single(listed)!["name"]!.GetValue<string>());

        await fx.Arm.PutVmAsync(s.Rg, "vm1");
        await fx.Arm.PutVaultAsync(s.Rg, "vault1");
        var resources = (await s.Az("resource", "list", "-g", s.Rg, "-o", "json")).Json().AsArray();
        Assert.Equal([ArmTestClient.VmPath(s.Rg, "vm1"), ArmTestClient.VaultPath(s.Rg, "vault1")], resources.Select(r => r!["id"]!.GetValue<string>()).Order());
        var vaults = (await s.Az("resource", "list", "--resource-type", "Microsoft.RecoveryServices/vaults", "-o", "json")).Json().AsArray();
        Assert.Contains(vaults, r => r!["id"]!.GetValue<string>() == ArmTestClient.VaultPath(s.Rg, "vault1"));
        Assert.All(vaults, r => Assert.Equal("Microsoft.RecoveryServices/vaults", r!["type"]!.GetValue<string>()));

        (await s.Az("group", "delete", "-n", s.Rg, "--yes")).AssertSucceeded();
        Assert.Equal("false", (await s.Az("group", "exists", "-n", s.Rg)).StdOut.Trim());
        using var vm = await fx.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(s.Rg, "vm1"), version: "2024-07-01");
        Assert.Equal(HttpStatusCode.NotFound, vm.StatusCode);
        using var vault = await fx.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(s.Rg, "vault1"));
        Assert.Equal(HttpStatusCode.NotFound, vault.StatusCode);
    }

    [Fact]
    public async Task Group_delete_with_a_vault_protecting_a_VM_shows_Azures_error_and_deletes_nothing()
    {
        var s = new AzCliScenario(fx, output, "group-blocked");
        await fx.Arm.ProtectedVmAsync(s.Rg, "vault1", "vm1");

        var delete = await s.Az("group", "delete", "-n", s.Rg, "--yes");
        Assert.False(delete.Succeeded, "the group delete should fail");
        Assert.Contains("ResourceGroupDeletionBlocked", delete.StdErr);
        Assert.Contains("existing resources within the vault", delete.StdErr);

        Assert.Equal("true", (await s.Az("group", "exists", "-n", s.Rg)).StdOut.Trim());
        await fx.Arm.GetAsync(ArmTestClient.VaultPath(s.Rg, "vault1"));
        await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, "vm1"), "2024-07-01");
        await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, "vault1", "vm1"));
    }
}
