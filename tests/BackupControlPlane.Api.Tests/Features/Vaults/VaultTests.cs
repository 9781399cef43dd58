using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Vaults;

public sealed class VaultTests
{
    [Fact]
    public async Task A_new_vault_answers_201_and_comes_with_Azures_DefaultPolicy()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-vault-" + Guid.NewGuid().ToString("N")[..6];
        using var created = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, "v1"), new { location = "westeurope", sku = new { name = "Standard" } }, "2016-06-01");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Null(created.Headers.Location); // a Location on a PUT tells ARM clients to poll it
        using var again = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VaultPath(rg, "v1"), new { location = "westeurope", sku = new { name = "Standard" } }, "2022-10-01");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var vault = await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "v1"));
        Assert.Equal("Microsoft.RecoveryServices/vaults", vault["type"]!.GetValue<string>());
        Assert.Equal("Succeeded", vault["properties"]!["provisioningState"]!.GetValue<string>());

        var policies = (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "v1") + "/backupPolicies"))["value"]!.AsArray();
        var p = Assert.Single(policies)!;
        Assert.Equal("DefaultPolicy", p["name"]!.GetValue<string>());
        var props = p["properties"]!;
        Assert.Equal("AzureIaasVM", props["backupManagementType"]!.GetValue<string>());
        Assert.Equal(2, props["instantRpRetentionRangeInDays"]!.GetValue<int>());
        Assert.Equal("Daily", props["schedulePolicy"]!["scheduleRunFrequency"]!.GetValue<string>());
        Assert.Equal(30, props["retentionPolicy"]!["dailySchedule"]!["retentionDuration"]!["count"]!.GetValue<int>());
        Assert.Equal(0, props["protectedItemsCount"]!.GetValue<int>());

        var inSub = (await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/vaults"))["value"]!.AsArray();
        Assert.Contains(inSub, v => v!["id"]!.GetValue<string>() == ArmTestClient.VaultPath(rg, "v1"));
    }

    [Fact]
    public async Task A_missing_vault_answers_404_ResourceNotFound_as_the_CLI_expects_before_creating()
    {
        var app = await EmulatorApp.SharedAsync();
        using var r = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath("rg-none", "ghost"));
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("\"ResourceNotFound\"", await r.Content.ReadAsStringAsync());
    }
}
