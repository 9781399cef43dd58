using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// File-level recovery and cross-region restore through az 2.45 (issue 21): <c>restore files mount-rp</c> writes the
/// script the service hands out, which downloads the point's disks read-only until <c>unmount-rp</c>; then, on a
/// GeoRedundant vault with cross-region restore on, the point is listed in the secondary region, <c>restore-disks
/// --use-secondary-region</c> restores it into the paired region's storage account, and its job is listed there only.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed partial class AzCrossRegionAndFileRecoveryTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "vm1";

    [Fact]
    public async Task Mount_rp_script_reads_the_disks_until_unmount_and_restore_disks_in_the_secondary_region_lists_its_job_there()
    {
        var s = new AzCliScenario(fx, output, "crr");
        string[] item = ["-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm];
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        await PutManagedVmAsync(s.Rg);

        // Secondary-region reads are refused while cross-region restore is off.
        var off = await fx.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VaultPath(s.Rg, Vault) + "/backupProtectedItems/", version: "2021-11-15");
        Assert.Equal(HttpStatusCode.BadRequest, off.StatusCode);
        Assert.Contains("Cross-region restore is not enabled", await off.Content.ReadAsStringAsync());

        (await s.Az("backup", "vault", "backup-properties", "set", "-g", s.Rg, "-n", Vault, "--cross-region-restore-flag", "true")).AssertSucceeded();
        using (var enabled = await fx.Arm.EnableProtectionAsync(s.Rg, Vault, Vm)) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        var backup = await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(await fx.Arm.RunDueAsync(s.Rg), Vm));
        Assert.Equal("Completed", backup["properties"]!["status"]!.GetValue<string>());

        // The point, listed in the secondary region (the fixture's replication delay is 0; the default is a minute).
        var secondary = (await s.Az(["backup", "recoverypoint", "list", .. item, "--backup-management-type", "AzureIaasVM", "--use-secondary-region", "-o", "json"])).Json().AsArray();
        var rp = Assert.Single(secondary)!["name"]!.GetValue<string>();
        Assert.True(secondary[0]!["properties"]!["isManagedVirtualMachine"]!.GetValue<bool>());

        await FileRecoveryAsync(s, item, rp);
        await CrossRegionRestoreAsync(s, item, rp);
    }

    private async Task FileRecoveryAsync(AzCliScenario s, string[] item, string rp)
    {
        var mount = await s.Az(["backup", "restore", "files", "mount-rp", .. item, "-r", rp]);
        mount.AssertSucceeded();
        var downloaded = FileDownloaded().Match(mount.StdErr);
        Assert.True(downloaded.Success, mount.StdErr);
        var (file, password) = (Path.GetFullPath(downloaded.Groups[1].Value), downloaded.Groups[2].Value);
        var folder = Directory.CreateTempSubdirectory("bcp-ilr-");
        try
        {
            var script = await File.ReadAllTextAsync(file);
            Assert.EndsWith(".py", file);
            Assert.Contains("TargetPassword=\"UserInput012345\"", script); // the CLI's edit of the script it was given
            var links = SasLink().Matches(script.Replace("\\u0026", "&")).Select(m => m.Value).ToList(); // JSON in the script escapes &
            Assert.Equal(2, links.Count); // the OS disk and LUN 0
            Assert.All(links, l => Assert.Matches("[?&]sp=r(&|$)", l)); // read-only
            Assert.All(links, l => Assert.Matches(@"se=\d{4}-", l)); // and expiring
            Assert.DoesNotContain(StorageOptions.AzuriteConnectionString.Split("AccountKey=")[1].Split(';')[0], script);
            Assert.True(await IlrActiveAsync(s, item, rp));

            var run = await RunScriptAsync(file, password, folder.FullName);
            Assert.True(run.ExitCode == 0, run.Output);
            s.Note(run.Output);
            var osDisk = Directory.GetFiles(Path.Combine(folder.FullName, $"{Vm}-{rp}")).Single(f => Path.GetFileName(f).StartsWith("os-"));
            Assert.Equal(await VaultCopyAsync(s, rp, "disk-os.vhd"), await File.ReadAllBytesAsync(osDisk));
            Assert.NotEqual(0, (await RunScriptAsync(file, "wrong-password!", folder.FullName)).ExitCode);

            (await s.Az(["backup", "restore", "files", "unmount-rp", .. item, "-r", rp])).AssertSucceeded();
            Assert.False(await IlrActiveAsync(s, item, rp));
            var revoked = await RunScriptAsync(file, password, folder.FullName);
            Assert.NotEqual(0, revoked.ExitCode);
            Assert.Contains("can no longer be read", revoked.Output);
        }
        finally
        {
            File.Delete(file);
            folder.Delete(recursive: true);
        }
    }

    private async Task CrossRegionRestoreAsync(AzCliScenario s, string[] item, string rp)
    {
        // The target group and staging account in the paired region (eastus → westus).
        var target = s.Rg + "-west";
        using (var group = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.Rg(target), new { location = "westus" }, "2021-04-01"))
            Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        using (var account = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.Rg(target) + "/providers/Microsoft.Storage/storageAccounts/azclicrrwest",
            new { location = "westus", sku = new { name = "Standard_LRS" }, kind = "StorageV2" }, "2023-01-01"))
            Assert.True(account.IsSuccessStatusCode, await account.Content.ReadAsStringAsync());

        var job = (await s.Az(["backup", "restore", "restore-disks", .. item, "-r", rp, "--storage-account", "azclicrrwest",
            "--storage-account-resource-group", target, "--target-resource-group", target, "--use-secondary-region", "-o", "json"])).Json();
        var name = job["name"]!.GetValue<string>();
        var done = (await s.Az("backup", "job", "wait", "-g", s.Rg, "-v", Vault, "-n", name, "--use-secondary-region", "-o", "json")).Json();
        Assert.Equal("Completed", done["properties"]!["status"]!.GetValue<string>());
        var bag = done["properties"]!["extendedInfo"]!["propertyBag"]!;
        Assert.Equal(target, bag["Target resource group"]!.GetValue<string>());
        Assert.Equal("azclicrrwest", bag["Target Storage Account Name"]!.GetValue<string>());
        var restored = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync()).GetBlobContainerClient(bag["Config Blob Container Name"]!.GetValue<string>());
        var blobs = new List<string>();
        await foreach (var blob in restored.GetBlobsAsync()) blobs.Add(blob.Name);
        Assert.Contains(bag["Config Blob Name"]!.GetValue<string>(), blobs);
        // A managed VM's disks come back as managed disks in the target group, in the secondary region.
        var disks = (await fx.Arm.GetAsync(ArmTestClient.Rg(target) + "/providers/Microsoft.Compute/disks", "2022-07-02"))["value"]!.AsArray();
        Assert.Contains(disks, d => d!["name"]!.GetValue<string>().StartsWith(Vm + "-osdisk-") && d["location"]!.GetValue<string>() == "westus");

        // Listed in the secondary region only.
        var crrJobs = (await s.Az("backup", "job", "list", "-g", s.Rg, "-v", Vault, "--use-secondary-region", "-o", "json")).Json().AsArray();
        Assert.Equal(name, Assert.Single(crrJobs)!["name"]!.GetValue<string>());
        var primary = (await fx.Arm.GetAsync(ArmTestClient.VaultPath(s.Rg, Vault) + "/backupJobs"))["value"]!.AsArray();
        Assert.DoesNotContain(primary, j => j!["name"]!.GetValue<string>() == name);
    }

    private async Task PutManagedVmAsync(string rg)
    {
        using var put = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, Vm), new
        {
            location = "eastus",
            properties = new
            {
                hardwareProfile = new { vmSize = "Standard_B2s" },
                storageProfile = new
                {
                    osDisk = new { osType = "Linux", createOption = "FromImage", managedDisk = new { storageAccountType = "Premium_LRS" } },
                    dataDisks = new[] { new { lun = 0, createOption = "Empty", diskSizeGB = 8 } },
                },
            },
        }, "2022-08-01");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    private async Task<bool> IlrActiveAsync(AzCliScenario s, string[] item, string rp) =>
        (await s.Az(["backup", "recoverypoint", "show", .. item, "-n", rp, "--backup-management-type", "AzureIaasVM", "-o", "json"]))
            .Json()["properties"]!["isInstantIlrSessionActive"]!.GetValue<bool>();

    private async Task<byte[]> VaultCopyAsync(AzCliScenario s, string rp, string disk)
    {
        var itemDataId = (await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, Vm)))["properties"]!["protectedItemDataId"]!.GetValue<string>();
        var blob = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync())
            .GetBlobContainerClient(BlobStorage.VaultContainer(ResourceKeys.Of(EmulatorApp.Subscription, s.Rg, Vault))).GetBlobClient($"{itemDataId}/{rp}/{disk}");
        return (await blob.DownloadContentAsync()).Value.Content.ToArray();
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, string password, string workingDirectory)
    {
        var psi = new ProcessStartInfo("python3") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(password);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"File downloaded: (\S+)\. Use password (\S{15})")]
    private static partial Regex FileDownloaded();

    [GeneratedRegex(@"https?://[^""' ]+\?[^""' ]*sig=[^""' ]+")]
    private static partial Regex SasLink();
}
