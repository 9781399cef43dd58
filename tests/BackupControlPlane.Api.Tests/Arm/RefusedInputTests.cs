using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>Input the emulator does not act on is refused by name, never accepted and dropped.</summary>
public sealed class RefusedInputTests
{
    [Fact]
    public async Task Selective_disk_backup_naming_a_LUN_the_VM_lacks_is_refused_and_nothing_is_protected()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-refused-" + Guid.NewGuid().ToString("N")[..6];
        var vm = "vmrefused" + Guid.NewGuid().ToString("N")[..6]; // the shared app finds agents by VM name: one no other test uses
        await app.Arm.PutVaultAsync(rg, "v1");
        await app.Arm.PutVmAsync(rg, vm, dataDisks: 2);
        using var response = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.ItemPath(rg, "v1", vm), new
        {
            properties = new
            {
                protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, vm),
                policyId = $"{ArmTestClient.VaultPath(rg, "v1")}/backupPolicies/DefaultPolicy",
                extendedProperties = new { diskExclusionProperties = new { diskLunList = new[] { 1, 7 }, isInclusionList = false } },
            },
        });
        await AssertError(response, HttpStatusCode.BadRequest, "BMSUserErrorInvalidInput", "diskLunList names LUN 7, which is not a data disk attached");
        using var item = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.ItemPath(rg, "v1", vm));
        Assert.Equal(HttpStatusCode.NotFound, item.StatusCode);
    }

    [Fact]
    public async Task A_storage_account_PUT_with_members_the_emulator_does_not_keep_is_refused_by_name()
    {
        var app = await EmulatorApp.SharedAsync();
        var path = $"{ArmTestClient.Rg("rg-refused-" + Guid.NewGuid().ToString("N")[..6])}/providers/Microsoft.Storage/storageAccounts/refusedsa";
        using var response = await app.Arm.SendAsync(HttpMethod.Put, path,
            new { location = "eastus", sku = new { name = "Standard_LRS" }, kind = "StorageV2", tags = new { env = "test" }, properties = new { minimumTlsVersion = "TLS1_2" } }, "2023-05-01");
        await AssertError(response, HttpStatusCode.BadRequest, "InvalidRequestContent", "'properties', 'tags'");
    }

    [Fact]
    public async Task A_subscription_id_that_is_not_a_GUID_is_refused_on_every_ARM_route_before_anything_is_created()
    {
        var app = await EmulatorApp.SharedAsync();
        using var put = await app.Arm.SendAsync(HttpMethod.Put, "/subscriptions/not-a-guid/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/v1",
            new { location = "eastus", sku = new { name = "Standard" } });
        await AssertError(put, HttpStatusCode.BadRequest, "InvalidSubscriptionId", "not-a-guid");
        using var get = await app.Arm.SendAsync(HttpMethod.Get, "/subscriptions/not-a-guid");
        await AssertError(get, HttpStatusCode.BadRequest, "InvalidSubscriptionId", "not-a-guid");
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string code, string mentions)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Contains(mentions, error["message"]!.GetValue<string>());
    }
}
