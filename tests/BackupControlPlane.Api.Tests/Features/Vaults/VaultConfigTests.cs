using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Vaults;

/// <summary>The read-only resources the az CLI consults around vaults: configs, storage accounts, backup status.</summary>
public sealed class VaultConfigTests
{
    [Fact]
    public async Task Vault_configs_answer_with_Azures_defaults_and_their_own_ids()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-cfg-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVaultAsync(rg, "vault1");
        var v = ArmTestClient.VaultPath(rg, "vault1");
        var enc = await app.Arm.GetAsync(v + "/backupEncryptionConfigs/backupResourceEncryptionConfig");
        Assert.Equal(v + "/backupEncryptionConfigs/backupResourceEncryptionConfig", enc["id"]!.GetValue<string>());
        Assert.Equal("MicrosoftManaged", enc["properties"]!["encryptionAtRestType"]!.GetValue<string>());
        Assert.Equal("Enabled", (await app.Arm.GetAsync(v + "/backupconfig/vaultconfig"))["properties"]!["softDeleteFeatureState"]!.GetValue<string>());
        Assert.False((await app.Arm.GetAsync(v + "/backupstorageconfig/vaultstorageconfig"))["properties"]!["crossRegionRestoreFlag"]!.GetValue<bool>());
        Assert.Empty((await app.Arm.GetAsync(v + "/backupResourceGuardProxies"))["value"]!.AsArray());
        using var missing = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(rg, "nope") + "/backupconfig/vaultconfig");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var sa = await app.Arm.GetAsync(ArmTestClient.Rg(rg) + "/providers/Microsoft.Storage/storageAccounts/restoresa", "2016-01-01");
        Assert.Equal(ArmTestClient.Rg(rg) + "/providers/Microsoft.Storage/storageAccounts/restoresa", sa["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Items_filter_by_policy_and_backup_status_tells_which_vault_protects_a_VM()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-stat-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmbstatus");
        await app.Arm.PutVmAsync(rg, "vmfree");
        var items = ArmTestClient.VaultPath(rg, "vault1") + "/backupProtectedItems?$filter=";
        Assert.Single((await app.Arm.GetAsync(items + Uri.EscapeDataString("policyName eq 'DefaultPolicy'")))["value"]!.AsArray());
        Assert.Empty((await app.Arm.GetAsync(items + Uri.EscapeDataString("policyName eq 'Other'")))["value"]!.AsArray());

        var statusPath = ArmTestClient.WithVersion($"/Subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/locations/eastus/backupStatus");
        using var protectedVm = await app.Client.PostAsJsonAsync(statusPath, new { resourceType = "VM", resourceId = ArmTestClient.VmPath(rg, "vmbstatus") });
        var status = JsonNode.Parse(await protectedVm.Content.ReadAsStringAsync())!;
        Assert.Equal("Protected", status["protectionStatus"]!.GetValue<string>());
        Assert.Equal(ArmTestClient.VaultPath(rg, "vault1"), status["vaultId"]!.GetValue<string>());
        using var freeVm = await app.Client.PostAsJsonAsync(statusPath, new { resourceType = "VM", resourceId = ArmTestClient.VmPath(rg, "vmfree") });
        Assert.Equal("NotProtected", JsonNode.Parse(await freeVm.Content.ReadAsStringAsync())!["protectionStatus"]!.GetValue<string>());
    }
}
