using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Every way the az CLI restores a managed VM (issue 21): the recovery point describes the VM truthfully; restore-disks
/// with --target-resource-group makes managed disks (whose template deploys), --restore-only-osdisk the OS disk alone,
/// --restore-as-unmanaged-disks VHDs in the staging account; --restore-mode AlternateLocation makes a
/// new VM in a VNet's subnet; --restore-mode OriginalLocation replaces the VM's disks, byte for byte.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzRestoreModesTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Vm = "mvm1";

    [Fact]
    public async Task A_managed_VMs_point_restores_as_managed_disks_as_a_new_VM_and_in_place()
    {
        var s = new AzCliScenario(fx, output, "restoremodes");
        var target = s.Rg + "-t";
        await PutManagedVmAsync(s.Rg);
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        using (var enabled = await fx.Arm.EnableProtectionAsync(s.Rg, Vault, Vm)) Assert.True(enabled.IsSuccessStatusCode);
        var backup = await fx.Arm.WaitForJobAsync(s.Rg, Vault, ArmTestClient.BackupJobOf(await fx.Arm.RunDueAsync(s.Rg), Vm));
        Assert.Equal("Completed", backup["properties"]!["status"]!.GetValue<string>());
        var source = await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, Vm), "2024-07-01");
        var vmId = source["properties"]!["vmId"]!.GetValue<string>();
        var osDiskName = source["properties"]!["storageProfile"]!["osDisk"]!["name"]!.GetValue<string>();
        var backedUp = await DownloadAsync("vhds", $"{Guid.Parse(vmId):N}/{osDiskName}.vhd");

        // 1. The recovery point, as the CLI reads it (restore-disks below relies on isManagedVirtualMachine): managed, its size,
        //    OS, zone, security type and storage type.
        string[] item = ["-g", s.Rg, "-v", Vault, "-c", Vm, "-i", Vm];
        var rp = Assert.Single((await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, Vm) + "/recoveryPoints"))["value"]!.AsArray())!;
        var rpName = rp["name"]!.GetValue<string>();
        var p = rp["properties"]!;
        s.Note("recovery point: " + p.ToJsonString());
        Assert.True(p["isManagedVirtualMachine"]!.GetValue<bool>());
        Assert.False(p["originalStorageAccountOption"]!.GetValue<bool>());
        Assert.Equal("Standard_D2s_v3", p["virtualMachineSize"]!.GetValue<string>());
        Assert.Equal("Linux", p["osType"]!.GetValue<string>());
        Assert.Equal("[\"2\"]", p["zones"]!.ToJsonString());
        Assert.Equal("None", p["securityType"]!.GetValue<string>());
        Assert.Equal("PremiumVMOnPartialPremiumStorage", p["sourceVMStorageType"]!.GetValue<string>());
        Assert.Equal(["InstantRP", "HardenedRP"], p["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        Assert.NotNull(p["recoveryPointProperties"]!["expiryTime"]);

        // 2. Restore disks into a target group: managed disks named as Azure names them, holding the point's bytes.
        var disksJob = await RestoreAsync(s, [.. item, "-r", rpName, "--storage-account", "rmodessa", "--target-resource-group", target]);
        var bag = disksJob["properties"]!["extendedInfo"]!["propertyBag"]!;
        Assert.Equal(target, bag["Target resource group"]!.GetValue<string>());
        var disks = (await fx.Arm.GetAsync(ArmTestClient.Rg(target) + "/providers/Microsoft.Compute/disks", "2024-07-01"))["value"]!.AsArray();
        var osDisk = disks.Single(d => Regex.IsMatch(d!["name"]!.GetValue<string>(), $@"^{Vm}-osdisk-\d{{8}}-\d{{6}}$"))!;
        Assert.Single(disks, d => Regex.IsMatch(d!["name"]!.GetValue<string>(), $@"^{Vm}-datadisk-000-\d{{8}}-\d{{6}}$"));
        Assert.Equal(2, disks.Count);
        Assert.Equal("Restore", osDisk["properties"]!["creationData"]!["createOption"]!.GetValue<string>());
        Assert.Equal("[\"2\"]", osDisk["zones"]!.ToJsonString());
        Assert.Equal(backedUp, await DownloadAsync("vhds", $"restored-{Guid.Parse(disksJob["name"]!.GetValue<string>()):N}/{osDisk["name"]}.vhd"));
        // restore-disks' options: --restore-only-osdisk restores the OS disk alone; --restore-as-unmanaged-disks writes the
        // disks as VHDs into the staging account and makes no managed disk.
        var osOnlyTarget = s.Rg + "-o";
        await RestoreAsync(s, [.. item, "-r", rpName, "--storage-account", "rmodessa", "--target-resource-group", osOnlyTarget, "--restore-only-osdisk"]);
        var osOnly = (await fx.Arm.GetAsync(ArmTestClient.Rg(osOnlyTarget) + "/providers/Microsoft.Compute/disks", "2024-07-01"))["value"]!.AsArray();
        Assert.Matches($@"^{Vm}-osdisk-\d{{8}}-\d{{6}}$", Assert.Single(osOnly)!["name"]!.GetValue<string>());
        var unmanaged = await RestoreAsync(s, [.. item, "-r", rpName, "--storage-account", "rmodessa", "--restore-as-unmanaged-disks"]);
        var vhds = new List<string>();
        await foreach (var blob in new BlobServiceClient(await SharedAzurite.ConnectionStringAsync())
            .GetBlobContainerClient(unmanaged["properties"]!["extendedInfo"]!["propertyBag"]!["Config Blob Container Name"]!.GetValue<string>()).GetBlobsAsync())
            vhds.Add(blob.Name);
        Assert.Equal(2, vhds.Count(n => n.EndsWith(".vhd")));
        Assert.Equal(2, (await fx.Arm.GetAsync(ArmTestClient.Rg(target) + "/providers/Microsoft.Compute/disks", "2024-07-01"))["value"]!.AsArray().Count);

        // Its template, deployed by URI as Learn's tutorial does, attaches the restored managed disks to a VM.
        var template = new BlobUriBuilder(new Uri(bag["Template Blob Uri"]!.GetValue<string>()));
        var sas = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync()).GetBlobContainerClient(template.BlobContainerName)
            .GetBlobClient(template.BlobName).GenerateSasUri(Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
        var deployed = (await s.Az("deployment", "group", "create", "-g", target, "-n", "fromrestore", "--template-uri", sas.ToString(),
            "--parameters", "VirtualMachineName=fromtemplate", "-o", "json")).Json()["properties"]!;
        Assert.Equal("Succeeded", deployed["provisioningState"]!.GetValue<string>());
        var fromTemplate = await fx.Arm.GetAsync(ArmTestClient.VmPath(target, "fromtemplate"), "2024-07-01");
        Assert.EndsWith("/" + osDisk["name"], fromTemplate["properties"]!["storageProfile"]!["osDisk"]!["managedDisk"]!["id"]!.GetValue<string>());

        // 3. Restore as a new VM: the CLI reads the VNet, then a VM with a NIC in the subnet, the source's size, no extensions.
        using (var vnet = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.Rg(target) + "/providers/Microsoft.Network/virtualNetworks/vnet1", new
        {
            location = "eastus",
            properties = new { addressSpace = new { addressPrefixes = new[] { "10.2.0.0/16" } }, subnets = new[] { new { name = "default", properties = new { addressPrefix = "10.2.0.0/24" } } } },
        }, "2022-07-01"))
            Assert.True(vnet.IsSuccessStatusCode, await vnet.Content.ReadAsStringAsync());
        string[] alr = [.. item, "-r", rpName, "--storage-account", "rmodessa", "--target-resource-group", target, "--restore-mode", "AlternateLocation",
            "--target-vm-name", "newvm", "--target-vnet-name", "vnet1", "--target-vnet-resource-group", target, "--target-subnet-name", "default"];
        var newVmJob = await RestoreAsync(s, alr);
        Assert.Equal("newvm", newVmJob["properties"]!["extendedInfo"]!["propertyBag"]!["Target VM Name"]!.GetValue<string>());
        var newVm = (await fx.Arm.GetAsync(ArmTestClient.VmPath(target, "newvm"), "2024-07-01"))["properties"]!;
        Assert.Equal("Standard_D2s_v3", newVm["hardwareProfile"]!["vmSize"]!.GetValue<string>());
        Assert.Equal("Linux", newVm["storageProfile"]!["osDisk"]!["osType"]!.GetValue<string>());
        Assert.StartsWith("newvm-osdisk-", newVm["storageProfile"]!["osDisk"]!["name"]!.GetValue<string>());
        Assert.Single(newVm["storageProfile"]!["dataDisks"]!.AsArray());
        var nic = await fx.Arm.GetAsync(newVm["networkProfile"]!["networkInterfaces"]![0]!["id"]!.GetValue<string>(), "2022-07-01");
        var ip = nic["properties"]!["ipConfigurations"]![0]!["properties"]!;
        Assert.Equal("10.2.0.4", ip["privateIPAddress"]!.GetValue<string>());
        Assert.EndsWith("/virtualNetworks/vnet1/subnets/default", ip["subnet"]!["id"]!.GetValue<string>());
        Assert.Empty((await fx.Arm.GetAsync(ArmTestClient.VmPath(target, "newvm") + "/extensions", "2024-07-01"))["value"]!.AsArray());
        Assert.NotEmpty((await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, Vm) + "/extensions", "2024-07-01"))["value"]!.AsArray());
        // The same name again is refused before anything starts.
        var again = await s.Az(["backup", "restore", "restore-disks", .. alr]);
        Assert.False(again.Succeeded);
        Assert.Contains("already exists", again.StdErr);

        // 4. Replace existing disks: scribble on the OS disk, restore in place; the VM's disk then holds the point's bytes exactly.
        var scribbled = new byte[backedUp.Length];
        Array.Fill(scribbled, (byte)0xEE);
        await UploadAsync("vhds", $"{Guid.Parse(vmId):N}/{osDiskName}.vhd", scribbled);
        var olrJob = await RestoreAsync(s, [.. item, "-r", rpName, "--storage-account", "rmodessa", "--restore-mode", "OriginalLocation"]);
        var replaced = (await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, Vm), "2024-07-01"))["properties"]!;
        Assert.Equal(vmId, replaced["vmId"]!.GetValue<string>());
        var newOsName = replaced["storageProfile"]!["osDisk"]!["name"]!.GetValue<string>();
        Assert.Matches($@"^{Vm}-osdisk-\d{{8}}-\d{{6}}$", newOsName);
        Assert.Equal(backedUp, await DownloadAsync("vhds", $"restored-{Guid.Parse(olrJob["name"]!.GetValue<string>()):N}/{newOsName}.vhd"));
        Assert.NotEmpty((await fx.Arm.GetAsync(ArmTestClient.VmPath(s.Rg, Vm) + "/extensions", "2024-07-01"))["value"]!.AsArray());
        Assert.Equal(replaced["networkProfile"]!.ToJsonString(), source["properties"]!["networkProfile"]!.ToJsonString());
        // The old disk stays in the group, unattached, and the pre-restore copy in the staging account holds what was replaced.
        var old = await fx.Arm.GetAsync(ArmTestClient.Rg(s.Rg) + "/providers/Microsoft.Compute/disks/" + osDiskName, "2024-07-01");
        Assert.Null(old["managedBy"]);
        var staging = olrJob["properties"]!["extendedInfo"]!["propertyBag"]!["Config Blob Container Name"]!.GetValue<string>();
        Assert.Equal(scribbled, await DownloadAsync(staging, $"pre-restore/{osDiskName}.vhd"));
    }

    /// <summary>az backup restore restore-disks, then the job waited for (Completed) as az backup job wait would.</summary>
    private async Task<JsonNode> RestoreAsync(AzCliScenario s, string[] args)
    {
        var started = (await s.Az(["backup", "restore", "restore-disks", .. args, "-o", "json"])).Json();
        var rg = args[Array.IndexOf(args, "-g") + 1];
        var job = await fx.Arm.WaitForJobAsync(rg, Vault, started["name"]!.GetValue<string>());
        Assert.True(job["properties"]!["status"]!.GetValue<string>() == "Completed", job.ToJsonString());
        s.Note($"restore job {job["name"]}: {job["properties"]!["duration"]}");
        return job;
    }

    private async Task PutManagedVmAsync(string rg)
    {
        using var put = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, Vm), new
        {
            location = "eastus",
            zones = new[] { "2" },
            properties = new
            {
                hardwareProfile = new { vmSize = "Standard_D2s_v3" },
                storageProfile = new
                {
                    imageReference = new { publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" },
                    osDisk = new { osType = "Linux", createOption = "FromImage", managedDisk = new { storageAccountType = "Premium_LRS" } },
                    dataDisks = new[] { new { lun = 0, createOption = "Empty", diskSizeGB = 8, managedDisk = new { storageAccountType = "Standard_LRS" } } },
                },
            },
        }, "2024-07-01");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    private static async Task<byte[]> DownloadAsync(string container, string blob)
    {
        var client = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync()).GetBlobContainerClient(container).GetBlobClient(blob);
        return (await client.DownloadContentAsync()).Value.Content.ToArray();
    }

    private static async Task UploadAsync(string container, string blob, byte[] content)
    {
        var page = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync()).GetBlobContainerClient(container).GetPageBlobClient(blob);
        using var stream = new MemoryStream(content);
        await page.UploadPagesAsync(stream, 0);
    }
}
