using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The network a VM needs and the VM's managed disks, through the real az CLI: a VNet with a subnet, a public IP, a
/// NIC in that subnet holding it, then a managed VM (an ARM PUT: `az vm create` needs image lookups) using the NIC,
/// read back with `az vm show -d`, `az vm get-instance-view`, `az disk list` and `az disk show`.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzComputeNetworkTests(AzCliFixture fx, ITestOutputHelper output) : IClassFixture<AzCliFixture>
{
    [Fact]
    public async Task A_managed_VM_on_a_NIC_made_by_az_shows_its_addresses_instance_view_and_disks()
    {
        var s = new AzCliScenario(fx, output, "vm-network");
        var vnet = (await s.Az("network", "vnet", "create", "-g", s.Rg, "-n", "vnet1", "-l", "eastus", "--address-prefix", "10.1.0.0/16",
            "--subnet-name", "default", "--subnet-prefix", "10.1.0.0/24", "-o", "json")).Json()["newVNet"]!;
        Assert.Equal("10.1.0.0/16", vnet["addressSpace"]!["addressPrefixes"]![0]!.GetValue<string>());
        Assert.Equal("default", vnet["subnets"]![0]!["name"]!.GetValue<string>());

        var pip = (await s.Az("network", "public-ip", "create", "-g", s.Rg, "-n", "pip1", "-l", "eastus", "--allocation-method", "Static", "-o", "json")).Json()["publicIp"]!;
        var publicAddress = pip["ipAddress"]!.GetValue<string>();
        Assert.StartsWith("20.", publicAddress);

        var nic = (await s.Az("network", "nic", "create", "-g", s.Rg, "-n", "nic1", "-l", "eastus", "--vnet-name", "vnet1", "--subnet", "default",
            "--public-ip-address", "pip1", "-o", "json")).Json()["NewNIC"]!;
        var ipConfig = nic["ipConfigurations"]![0]!;
        Assert.Equal("10.1.0.4", ipConfig["privateIpAddress"]!.GetValue<string>()); // the first address Azure hands out in a subnet (the Python SDK's casing)
        Assert.Equal("Dynamic", ipConfig["privateIpAllocationMethod"]!.GetValue<string>());

        using (var put = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(s.Rg, "vm1"), new
        {
            location = "eastus",
            properties = new
            {
                hardwareProfile = new { vmSize = "Standard_B2s" },
                osProfile = new { computerName = "vm1", adminUsername = "azureuser", adminPassword = "Secret-Passw0rd!" },
                storageProfile = new
                {
                    imageReference = new { publisher = "Canonical", offer = "0001-com-ubuntu-server-jammy", sku = "22_04-lts-gen2", version = "latest" },
                    osDisk = new { osType = "Linux", createOption = "FromImage", managedDisk = new { storageAccountType = "Premium_LRS" } },
                    dataDisks = new[] { new { lun = 0, createOption = "Empty", diskSizeGB = 16 } },
                },
                networkProfile = new { networkInterfaces = new[] { new { id = nic["id"]!.GetValue<string>() } } },
            },
        }, "2022-08-01"))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var shown = (await s.Az("vm", "show", "-d", "-g", s.Rg, "-n", "vm1", "-o", "json")).Json();
        Assert.Equal("10.1.0.4", shown["privateIps"]!.GetValue<string>());
        Assert.Equal(publicAddress, shown["publicIps"]!.GetValue<string>());
        Assert.Equal("VM running", shown["powerState"]!.GetValue<string>());
        Assert.Null(shown["osProfile"]!["adminPassword"]);
        Assert.Equal("azureuser", shown["osProfile"]!["adminUsername"]!.GetValue<string>());

        var view = (await s.Az("vm", "get-instance-view", "-g", s.Rg, "-n", "vm1", "-o", "json")).Json();
        Assert.Contains(view["instanceView"]!["statuses"]!.AsArray(), st => st!["code"]!.GetValue<string>() == "PowerState/running");

        var disks = (await s.Az("disk", "list", "-g", s.Rg, "-o", "json")).Json().AsArray();
        Assert.Equal(2, disks.Count);
        var osDisk = disks.Single(d => d!["name"]!.GetValue<string>().StartsWith("vm1_OsDisk_1_"))!;
        Assert.Equal("Attached", osDisk["diskState"]!.GetValue<string>());
        Assert.Equal(shown["id"]!.GetValue<string>(), osDisk["managedBy"]!.GetValue<string>());
        Assert.Equal("Premium_LRS", osDisk["sku"]!["name"]!.GetValue<string>());
        Assert.Equal(osDisk["id"]!.GetValue<string>(), shown["storageProfile"]!["osDisk"]!["managedDisk"]!["id"]!.GetValue<string>());

        var data = (await s.Az("disk", "show", "-g", s.Rg, "-n", disks.Single(d => d != osDisk)!["name"]!.GetValue<string>(), "-o", "json")).Json();
        Assert.Equal(16, data["diskSizeGb"]!.GetValue<int>());
        Assert.Equal("Empty", data["creationData"]!["createOption"]!.GetValue<string>());

        var nicShown = (await s.Az("network", "nic", "show", "-g", s.Rg, "-n", "nic1", "-o", "json")).Json();
        Assert.Equal(shown["id"]!.GetValue<string>(), nicShown["virtualMachine"]!["id"]!.GetValue<string>());
        var vnets = (await s.Az("network", "vnet", "list", "-g", s.Rg, "-o", "json")).Json().AsArray();
        Assert.Equal(ipConfig["id"]!.GetValue<string>(), Assert.Single(vnets)!["subnets"]![0]!["ipConfigurations"]![0]!["id"]!.GetValue<string>());
        var pipShown = (await s.Az("network", "public-ip", "show", "-g", s.Rg, "-n", "pip1", "-o", "json")).Json();
        Assert.Equal(ipConfig["id"]!.GetValue<string>(), pipShown["ipConfiguration"]!["id"]!.GetValue<string>());
    }
}
