using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The vault's whole life with az 2.45 (issue 18): create with every option, backup-properties set with every flag,
/// delete empty, refused while it protects a VM, and the --force flow after soft delete is turned off.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class VaultCliTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";

    [Fact]
    public async Task Vault_create_keeps_every_option_backup_properties_set_changes_each_setting_and_delete_removes_the_empty_vault()
    {
        var s = new AzCliScenario(fx, output, "vault-settings");
        var created = (await s.Az("backup", "vault", "create", "-g", s.Rg, "-n", Vault, "-l", "eastus", "--public-network-access", "Disable",
            "--immutability-state", "Unlocked", "--job-failure-alerts", "Disable", "--classic-alerts", "Disable", "--tags", "env=test", "-o", "json")).Json();
        var p = created["properties"]!;
        Assert.Equal("Disabled", p["publicNetworkAccess"]!.GetValue<string>());
        Assert.Equal("Unlocked", p["securitySettings"]!["immutabilitySettings"]!["state"]!.GetValue<string>());
        Assert.Equal("Disabled", p["monitoringSettings"]!["azureMonitorAlertSettings"]!["alertsForAllJobFailures"]!.GetValue<string>());
        Assert.Equal("Disabled", p["monitoringSettings"]!["classicAlertSettings"]!["alertsForCriticalOperations"]!.GetValue<string>());
        Assert.Equal("test", created["tags"]!["env"]!.GetValue<string>());

        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--soft-delete-feature-state", "Disable",
            "--hybrid-backup-security-features", "Disable")).AssertSucceeded();
        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--backup-storage-redundancy", "LocallyRedundant")).AssertSucceeded();
        var config = (await s.Az("backup", "vault", "backup-properties", "show", "-g", s.Rg, "-n", Vault, "-o", "json")).Json().AsArray();
        var security = config.Single(c => c!["name"]!.GetValue<string>() == "vaultconfig")!["properties"]!;
        Assert.Equal("Disabled", security["softDeleteFeatureState"]!.GetValue<string>());
        Assert.Equal("Disabled", security["enhancedSecurityState"]!.GetValue<string>());
        Assert.Equal("LocallyRedundant", config.Single(c => c!["name"]!.GetValue<string>() == "vaultstorageconfig")!["properties"]!["storageType"]!.GetValue<string>());

        // CRR needs geo-redundancy: refused on LRS with Azure's code, accepted with GeoRedundant.
        var crr = await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--backup-storage-redundancy", "LocallyRedundant",
            "--cross-region-restore-flag", "True");
        Assert.False(crr.Succeeded);
        Assert.Contains("BMSUserErrorUnableToEnableCrossRegionRestore", crr.StdErr);
        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--backup-storage-redundancy", "GeoRedundant",
            "--cross-region-restore-flag", "True")).AssertSucceeded();
        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--job-failure-alerts", "Enable", "--classic-alerts", "Enable")).AssertSucceeded();

        var shown = (await s.Az("backup", "vault", "show", "-g", s.Rg, "-n", Vault, "-o", "json")).Json()["properties"]!;
        Assert.Equal("Disabled", shown["securitySettings"]!["softDeleteSettings"]!["softDeleteState"]!.GetValue<string>());
        Assert.Equal("GeoRedundant", shown["redundancySettings"]!["standardTierStorageRedundancy"]!.GetValue<string>());
        Assert.Equal("Enabled", shown["redundancySettings"]!["crossRegionRestore"]!.GetValue<string>());
        Assert.Equal("Enabled", shown["monitoringSettings"]!["azureMonitorAlertSettings"]!["alertsForAllJobFailures"]!.GetValue<string>());
        Assert.Equal("Enabled", shown["monitoringSettings"]!["classicAlertSettings"]!["alertsForCriticalOperations"]!.GetValue<string>());
        Assert.Equal("Disabled", shown["publicNetworkAccess"]!.GetValue<string>());

        (await s.Az("backup", "vault", "delete", "-g", s.Rg, "-n", Vault, "--yes")).AssertSucceeded();
        Assert.False((await s.Az("backup", "vault", "show", "-g", s.Rg, "-n", Vault)).Succeeded);
    }

    [Fact]
    public async Task Vault_delete_is_refused_while_a_VM_is_protected_and_force_stops_protection_deletes_the_data_and_the_vault()
    {
        var s = new AzCliScenario(fx, output, "vault-delete");
        await fx.Arm.ProtectedVmAsync(s.Rg, Vault, "vcli-vm1");

        var refused = await s.Az("backup", "vault", "delete", "-g", s.Rg, "-n", Vault, "--yes");
        Assert.False(refused.Succeeded);
        Assert.Contains("ServiceResourceNotEmptyWithContainerDetails", refused.StdErr);
        Assert.Contains("existing resources within the vault", refused.StdErr);

        // With soft delete on, --force would only soft-delete the item; turn it off first, as Azure's docs say.
        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--soft-delete-feature-state", "Disable")).AssertSucceeded();
        var forced = await s.Az("backup", "vault", "delete", "-g", s.Rg, "-n", Vault, "--yes", "--force");
        forced.AssertSucceeded();
        Assert.Contains("force delete vault", forced.StdErr);
        Assert.False((await s.Az("backup", "vault", "show", "-g", s.Rg, "-n", Vault)).Succeeded);
        var status = await fx.Arm.SendAsync(HttpMethod.Get, ArmTestClient.ItemPath(s.Rg, Vault, "vcli-vm1"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, status.StatusCode);
    }
}
