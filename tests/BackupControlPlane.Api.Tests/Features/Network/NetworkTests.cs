using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using static BackupControlPlane.Api.Tests.Features.Network.NetworkFixtures;

namespace BackupControlPlane.Api.Tests.Features.Network;

/// <summary>Microsoft.Network as a VM uses it: addresses allocated, NICs attached, and Azure's refusals to delete what is in use.</summary>
public sealed class NetworkTests
{
    [Fact]
    public async Task NICs_get_the_next_free_addresses_and_a_public_IP_from_20_0_0_0_8()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-net-" + Guid.NewGuid().ToString("N")[..6];
        var pip = await PutAsync(app.Arm, NetworkPath(rg, "publicIPAddresses", "pip1"), new { location = "eastus", properties = new { publicIPAllocationMethod = "Static" } });
        Assert.StartsWith("20.", pip["properties"]!["ipAddress"]!.GetValue<string>());
        var first = await NicAsync(app.Arm, rg, "nic1", pip["id"]!.GetValue<string>());
        var second = await NicAsync(app.Arm, rg, "nic2");
        Assert.Equal("10.0.0.4", first["properties"]!["ipConfigurations"]![0]!["properties"]!["privateIPAddress"]!.GetValue<string>());
        Assert.Equal("10.0.0.5", second["properties"]!["ipConfigurations"]![0]!["properties"]!["privateIPAddress"]!.GetValue<string>());
        // The public IP names the configuration using it, and a second NIC cannot take it.
        var shown = await app.Arm.GetAsync(NetworkPath(rg, "publicIPAddresses", "pip1"), NetworkVersion);
        Assert.Equal(first["properties"]!["ipConfigurations"]![0]!["id"]!.GetValue<string>(), shown["properties"]!["ipConfiguration"]!["id"]!.GetValue<string>());
        var (status, code, _) = await FailAsync(app.Arm, HttpMethod.Delete, NetworkPath(rg, "publicIPAddresses", "pip1"));
        Assert.Equal((HttpStatusCode.BadRequest, "PublicIPAddressCannotBeDeleted"), (status, code));

        // A subnet outside the address space, and a NIC in a subnet that does not exist.
        (status, code, _) = await FailAsync(app.Arm, HttpMethod.Put, NetworkPath(rg, "virtualNetworks", "vnet1") + "/subnets/far", new { properties = new { addressPrefix = "10.9.0.0/24" } });
        Assert.Equal((HttpStatusCode.BadRequest, "NetcfgSubnetRangeOutsideVnet"), (status, code));
        (status, code, _) = await FailAsync(app.Arm, HttpMethod.Put, NetworkPath(rg, "networkInterfaces", "nic3"), new
        {
            location = "eastus",
            properties = new { ipConfigurations = new[] { new { name = "c", properties = new { subnet = new { id = NetworkPath(rg, "virtualNetworks", "vnet1") + "/subnets/none" } } } } },
        });
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidResourceReference"), (status, code));
    }

    [Fact]
    public async Task A_VM_attaches_its_NIC_which_then_cannot_be_deleted_nor_its_subnet_and_a_missing_NIC_is_refused()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-net-" + Guid.NewGuid().ToString("N")[..6];
        var nicId = (await NicAsync(app.Arm, rg))["id"]!.GetValue<string>();

        var (status, code, message) = await FailAsync(app.Arm, HttpMethod.Put, ArmTestClient.VmPath(rg, "vmnetx"), ManagedVm(nicId.Replace("nic1", "nic9")), "2024-07-01");
        Assert.Equal((HttpStatusCode.NotFound, "NotFound"), (status, code));
        Assert.Contains("nic9", message);

        var vm = await PutAsync(app.Arm, ArmTestClient.VmPath(rg, "vmnet1"), ManagedVm(nicId), "2024-07-01");
        var nic = await app.Arm.GetAsync(NetworkPath(rg, "networkInterfaces", "nic1"), NetworkVersion);
        Assert.Equal(vm["id"]!.GetValue<string>(), nic["properties"]!["virtualMachine"]!["id"]!.GetValue<string>());

        (status, code, _) = await FailAsync(app.Arm, HttpMethod.Delete, NetworkPath(rg, "networkInterfaces", "nic1"));
        Assert.Equal((HttpStatusCode.BadRequest, "NicInUse"), (status, code));
        (status, code, _) = await FailAsync(app.Arm, HttpMethod.Delete, NetworkPath(rg, "virtualNetworks", "vnet1") + "/subnets/default");
        Assert.Equal((HttpStatusCode.BadRequest, "InUseSubnetCannotBeDeleted"), (status, code));
        (status, code, _) = await FailAsync(app.Arm, HttpMethod.Put, ArmTestClient.VmPath(rg, "vmnet2"), ManagedVm(nicId), "2024-07-01");
        Assert.Equal((HttpStatusCode.Conflict, "NicInUse"), (status, code));

        // Deleting the VM detaches the NIC (Azure's default deleteOption); then it and its network can go.
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VmPath(rg, "vmnet1"), version: "2024-07-01")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Null((await app.Arm.GetAsync(NetworkPath(rg, "networkInterfaces", "nic1"), NetworkVersion))["properties"]!["virtualMachine"]);
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, NetworkPath(rg, "networkInterfaces", "nic1"), version: NetworkVersion)) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, NetworkPath(rg, "virtualNetworks", "vnet1"), version: NetworkVersion)) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }
}
