using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using static BackupControlPlane.Api.Tests.Features.Network.NetworkFixtures;

namespace BackupControlPlane.Api.Tests.Features.ResourceGroups;

/// <summary>
/// A group holding a managed VM on its own network: the group's resource list shows the disks, VNet, NIC and public IP,
/// its deletion takes all of them (and the disks' blobs), and a NIC another group's VM uses keeps its group alive.
/// </summary>
public sealed class GroupDeletionNetworkTests
{
    private const string Version = "2021-04-01";

    [Fact]
    public async Task Deleting_a_group_takes_its_managed_VM_with_disks_and_network_and_refuses_while_another_group_uses_its_NIC()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-gdel-" + Guid.NewGuid().ToString("N")[..6];
        var pip = await PutAsync(app.Arm, NetworkPath(rg, "publicIPAddresses", "pip1"), new { location = "eastus", properties = new { publicIPAllocationMethod = "Static" } });
        var nic = await NicAsync(app.Arm, rg, "nic1", pip["id"]!.GetValue<string>());
        await PutAsync(app.Arm, ArmTestClient.VmPath(rg, "vmgdel1"), ManagedVm(nic["id"]!.GetValue<string>()), "2024-07-01");
        await PutAsync(app.Arm, $"{ArmTestClient.Rg(rg)}/providers/Microsoft.Compute/disks/spare", new { location = "eastus", properties = new { creationData = new { createOption = "Empty" }, diskSizeGB = 4 } }, "2022-07-02");

        var listed = (await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/resourceGroups/{rg}/resources", Version))["value"]!.AsArray()
            .Select(r => r!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(3, listed.Count(t => t == "Microsoft.Compute/disks")); // OS, data, spare
        Assert.All(new[] { "Microsoft.Compute/virtualMachines", "Microsoft.Network/virtualNetworks", "Microsoft.Network/networkInterfaces", "Microsoft.Network/publicIPAddresses" },
            t => Assert.Contains(t, listed));

        // A VM of another group on this group's NIC keeps the group: the deletion fails and deletes nothing.
        var other = "rg-gdel-" + Guid.NewGuid().ToString("N")[..6];
        var foreignNic = await NicAsync(app.Arm, rg, "nic2");
        await PutAsync(app.Arm, ArmTestClient.VmPath(other, "vmgdel2"), ManagedVm(foreignNic["id"]!.GetValue<string>()), "2024-07-01");
        var blocked = await DeleteGroupAsync(app, rg);
        Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
        Assert.Contains("NicInUse", await blocked.Content.ReadAsStringAsync());
        await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmgdel1"), "2024-07-01");

        using (var moved = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VmPath(other, "vmgdel2"), version: "2024-07-01")) Assert.True(moved.IsSuccessStatusCode);
        var spare = await app.Arm.GetAsync($"{ArmTestClient.Rg(rg)}/providers/Microsoft.Compute/disks/spare", "2022-07-02");
        var done = await DeleteGroupAsync(app, rg);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Empty((await app.Arm.GetAsync($"/subscriptions/{ArmTestClient.Sub}/resources?$filter=resourceGroup eq '{rg}'", Version))["value"]!.AsArray());
        foreach (var path in new[] { NetworkPath(rg, "networkInterfaces", "nic1"), NetworkPath(rg, "publicIPAddresses", "pip1"), NetworkPath(rg, "virtualNetworks", "vnet1") })
        {
            using var gone = await app.Arm.SendAsync(HttpMethod.Get, path, version: NetworkVersion);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        // The spare disk's page blob went with it (named after the disk's uniqueId).
        var blob = $"{Guid.Parse(spare["properties"]!["uniqueId"]!.GetValue<string>()):N}/spare.vhd";
        Assert.False((await app.Blobs.GetBlobContainerClient(BackupControlPlane.Api.Infrastructure.BlobStorage.DisksContainer).GetBlobClient(blob).ExistsAsync()).Value);
    }

    private static async Task<HttpResponseMessage> DeleteGroupAsync(EmulatorApp app, string rg)
    {
        using var accepted = await app.Arm.SendAsync(HttpMethod.Delete, $"/subscriptions/{ArmTestClient.Sub}/resourcegroups/{rg}", version: Version);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return await app.Client.GetAsync(accepted.Headers.Location);
    }
}
