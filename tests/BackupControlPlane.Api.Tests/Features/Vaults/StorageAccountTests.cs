using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Vaults;

/// <summary>Storage accounts and vault configuration report what they are, not fixed values.</summary>
public sealed class StorageAccountTests
{
    private static string NewRg() => "rg-sa-" + Guid.NewGuid().ToString("N")[..6];

    private static string Account(string rg, string name) => ArmTestClient.Rg(rg) + "/providers/Microsoft.Storage/storageAccounts/" + name;

    [Fact]
    public async Task A_storage_account_keeps_the_region_it_was_created_in()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        using (var created = await app.Arm.SendAsync(HttpMethod.Put, Account(rg, "restorewe"), new { location = "West Europe", sku = new { name = "Standard_GRS" }, kind = "StorageV2" }, "2023-01-01"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.Equal("westeurope", body["location"]!.GetValue<string>());
            Assert.Equal("Standard_GRS", body["sku"]!["name"]!.GetValue<string>());
        }
        var read = await app.Arm.GetAsync(Account(rg, "restorewe"), "2016-01-01");
        Assert.Equal("westeurope", read["location"]!.GetValue<string>());
        Assert.Equal(Account(rg, "restorewe"), read["id"]!.GetValue<string>());

        using var moved = await app.Arm.SendAsync(HttpMethod.Put, Account(rg, "restorewe"), new { location = "eastus" }, "2023-01-01");
        Assert.Equal(HttpStatusCode.Conflict, moved.StatusCode);
        Assert.Contains("westeurope", (await moved.Content.ReadAsStringAsync()));
        using var badName = await app.Arm.SendAsync(HttpMethod.Get, Account(rg, "Not_A_Name"), version: "2016-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("\"AccountNameInvalid\"", await badName.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_account_first_named_by_a_GET_takes_its_resource_groups_region_and_keeps_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1", location: "westus2");
        var first = await app.Arm.GetAsync(Account(rg, "firstuse"), "2016-01-01");
        Assert.Equal("westus2", first["location"]!.GetValue<string>());
        // A later vault elsewhere in the group changes nothing: the account has its region now.
        await app.Arm.PutVaultAsync(rg, "vault2", location: "japaneast");
        Assert.Equal("westus2", (await app.Arm.GetAsync(Account(rg, "firstuse"), "2016-01-01"))["location"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_vault_storage_redundancy_is_unlocked_until_the_vault_protects_an_item()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        Assert.Equal("Unlocked", (await app.Arm.GetAsync(v + "/backupstorageconfig/vaultstorageconfig"))["properties"]!["storageTypeState"]!.GetValue<string>());
        Assert.Equal("Unlocked", (await app.Arm.GetAsync(v + "/backupconfig/vaultconfig"))["properties"]!["storageTypeState"]!.GetValue<string>());
        await app.Arm.PutVmAsync(rg, "vmlock");
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmlock")) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        Assert.Equal("Locked", (await app.Arm.GetAsync(v + "/backupstorageconfig/vaultstorageconfig"))["properties"]!["storageTypeState"]!.GetValue<string>());
        Assert.Equal("Locked", (await app.Arm.GetAsync(v + "/backupconfig/vaultconfig"))["properties"]!["storageTypeState"]!.GetValue<string>());
    }
}
