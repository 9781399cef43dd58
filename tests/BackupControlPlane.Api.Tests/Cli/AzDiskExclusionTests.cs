using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Selective disk backup through the az CLI (issue 20): <c>enable-for-vm --disk-list-setting exclude</c>, a backup whose
/// recovery point and vault copy leave the excluded LUN out, <c>update-for-vm</c> with include, OS disk only and reset.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzDiskExclusionTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "vm1";

    [Fact]
    public async Task Enable_for_vm_excluding_a_LUN_backs_up_the_other_disks_and_update_for_vm_changes_and_resets_the_setting()
    {
        var s = new AzCliScenario(fx, output, "diskexcl");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        await fx.Arm.PutVmAsync(s.Rg, Vm, dataDisks: 3);
        string[] item = ["-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "-o", "json"];

        // A LUN the VM lacks is refused with the service's code; nothing is protected.
        var wrong = await s.Az("backup", "protection", "enable-for-vm", "-g", s.Rg, "-v", Vault, "--vm", Vm, "-p", "DefaultPolicy",
            "--disk-list-setting", "exclude", "--diskslist", "5");
        Assert.False(wrong.Succeeded);
        Assert.Contains("BMSUserErrorInvalidInput", wrong.StdErr);
        Assert.Contains("LUN 5", wrong.StdErr);

        var enabled = (await s.Az("backup", "protection", "enable-for-vm", "-g", s.Rg, "-v", Vault, "--vm", Vm, "-p", "DefaultPolicy",
            "--disk-list-setting", "exclude", "--diskslist", "1", "-o", "json")).Json();
        Assert.Equal("Completed", enabled["properties"]!["status"]!.GetValue<string>());
        var shown = (await ShowItemAsync(s))["properties"]!;
        AssertSetting(shown, "[1]", inclusion: false);

        // A backup: the recovery point describes its disks, and the vault copy lacks LUN 1's blob.
        var job = ArmTestClient.BackupJobOf(await fx.Arm.RunDueAsync(s.Rg), Vm);
        var done = await fx.Arm.WaitForJobAsync(s.Rg, Vault, job);
        Assert.Equal("Completed", done["properties"]!["status"]!.GetValue<string>());
        var points = (await s.Az(["backup", "recoverypoint", "list", .. item, "--backup-management-type", "AzureIaasVM"])).Json().AsArray();
        var listed = Assert.Single(points)!["properties"]!["recoveryPointDiskConfiguration"]!;
        Assert.Equal(3, listed["numberOfDisksIncludedInBackup"]!.GetValue<int>());
        Assert.Equal(4, listed["numberOfDisksAttachedToVm"]!.GetValue<int>());
        var rp = points[0]!["name"]!.GetValue<string>();
        var config = (await s.Az(["backup", "recoverypoint", "show", .. item, "-n", rp, "--backup-management-type", "AzureIaasVM"])).Json()["properties"]!["recoveryPointDiskConfiguration"]!;
        s.Note("recoveryPointDiskConfiguration: " + config.ToJsonString());
        Assert.Equal([-1, 0, 2], config["includedDiskList"]!.AsArray().Select(d => d!["lun"]!.GetValue<int>()));
        Assert.Equal([1], config["excludedDiskList"]!.AsArray().Select(d => d!["lun"]!.GetValue<int>()));
        Assert.Equal(["disk-0.vhd", "disk-2.vhd", "disk-os.vhd"], await VaultCopyAsync(s, shown["protectedItemDataId"]!.GetValue<string>(), rp));

        // Restoring the excluded disk is refused.
        var restore = await s.Az("backup", "restore", "restore-disks", "-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm, "-r", rp,
            "--storage-account", "azclidiskx", "--diskslist", "1");
        Assert.False(restore.Succeeded);
        Assert.Contains("excluded from the backup", restore.StdErr);

        // update-for-vm: include LUNs 0 and 2, then the OS disk only, then back to every disk (the item read over ARM, as shown above).
        (await s.Az(["backup", "protection", "update-for-vm", .. item, "--disk-list-setting", "include", "--diskslist", "0", "2"])).AssertSucceeded();
        AssertSetting(await ItemAsync(s), "[0,2]", inclusion: true);
        (await s.Az(["backup", "protection", "update-for-vm", .. item, "--exclude-all-data-disks"])).AssertSucceeded();
        AssertSetting(await ItemAsync(s), "[]", inclusion: true);
        (await s.Az(["backup", "protection", "update-for-vm", .. item, "--disk-list-setting", "resetexclusionsettings"])).AssertSucceeded();
        Assert.Null((await ItemAsync(s))["extendedProperties"]?["diskExclusionProperties"]);
    }

    private async Task<JsonNode> ShowItemAsync(AzCliScenario s) =>
        (await s.Az("backup", "item", "show", "-g", s.Rg, "-v", Vault, "-c", Vm, "-n", Vm, "--backup-management-type", "AzureIaasVM", "-o", "json")).Json();

    private async Task<JsonNode> ItemAsync(AzCliScenario s) => (await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, Vm)))["properties"]!;

    private static void AssertSetting(JsonNode properties, string luns, bool inclusion)
    {
        var setting = properties["extendedProperties"]!["diskExclusionProperties"]!;
        Assert.Equal(luns, setting["diskLunList"]!.ToJsonString());
        Assert.Equal(inclusion, setting["isInclusionList"]!.GetValue<bool>());
    }

    /// <summary>The blobs of one recovery point in the vault's container, in Azurite.</summary>
    private static async Task<List<string>> VaultCopyAsync(AzCliScenario s, string itemDataId, string rp)
    {
        var container = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync())
            .GetBlobContainerClient(BlobStorage.VaultContainer(ResourceKeys.Of(EmulatorApp.Subscription, s.Rg, Vault)));
        var prefix = $"{itemDataId}/{rp}/";
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix })) names.Add(blob.Name[prefix.Length..]);
        return [.. names.Order()];
    }
}
