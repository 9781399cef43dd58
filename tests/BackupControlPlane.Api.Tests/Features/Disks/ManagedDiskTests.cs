using System.Net;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BackupControlPlane.Api.Tests.Features.Network.NetworkFixtures;

namespace BackupControlPlane.Api.Tests.Features.Disks;

/// <summary>Managed disks: made by a VM from an image or by a PUT, attached, refused deletion while attached, backed up.</summary>
public sealed class ManagedDiskTests
{
    private static string DiskPath(string rg, string name) => $"{ArmTestClient.Rg(rg)}/providers/Microsoft.Compute/disks/{name}";

    [Fact]
    public async Task An_empty_disk_made_by_PUT_is_attached_by_a_VM_and_cannot_be_deleted_until_the_VM_is()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-disk-" + Guid.NewGuid().ToString("N")[..6];
        var disk = await PutAsync(app.Arm, DiskPath(rg, "extra"), new { location = "eastus", sku = new { name = "Premium_LRS" }, properties = new { creationData = new { createOption = "Empty" }, diskSizeGB = 64 } }, "2022-07-02");
        Assert.Equal("Unattached", disk["properties"]!["diskState"]!.GetValue<string>());

        var vm = await PutAsync(app.Arm, ArmTestClient.VmPath(rg, "vmmd1"), new
        {
            location = "eastus",
            properties = new
            {
                storageProfile = new
                {
                    imageReference = new { publisher = "Canonical", offer = "ubuntu-24_04-lts", sku = "server", version = "latest" },
                    osDisk = new { osType = "Linux", createOption = "FromImage", deleteOption = "Delete" },
                    dataDisks = new[] { new { lun = 1, createOption = "Attach", managedDisk = new { id = disk["id"]!.GetValue<string>() } } },
                },
            },
        }, "2024-07-01");
        var osDiskId = vm["properties"]!["storageProfile"]!["osDisk"]!["managedDisk"]!["id"]!.GetValue<string>();
        Assert.Null(vm["properties"]!["storageProfile"]!["osDisk"]!["vhd"]);
        Assert.Equal(disk["id"]!.GetValue<string>(), vm["properties"]!["storageProfile"]!["dataDisks"]![0]!["managedDisk"]!["id"]!.GetValue<string>());

        var attached = await app.Arm.GetAsync(DiskPath(rg, "extra"), "2022-07-02");
        Assert.Equal("Attached", attached["properties"]!["diskState"]!.GetValue<string>());
        Assert.Equal(vm["id"]!.GetValue<string>(), attached["managedBy"]!.GetValue<string>());
        var (status, code, _) = await FailAsync(app.Arm, HttpMethod.Delete, DiskPath(rg, "extra"), version: "2022-07-02");
        Assert.Equal((HttpStatusCode.Conflict, "OperationNotAllowed"), (status, code));

        // Deleting the VM deletes the OS disk (deleteOption Delete) and detaches the data disk (Azure's default).
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, ArmTestClient.VmPath(rg, "vmmd1"), version: "2024-07-01")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var left = Assert.Single((await app.Arm.GetAsync($"{ArmTestClient.Rg(rg)}/providers/Microsoft.Compute/disks", "2022-07-02"))["value"]!.AsArray())!;
        Assert.Equal("extra", left["name"]!.GetValue<string>());
        Assert.Equal("Unattached", left["properties"]!["diskState"]!.GetValue<string>());
        Assert.DoesNotContain(osDiskId, left["id"]!.GetValue<string>());
        using (var deleted = await app.Arm.SendAsync(HttpMethod.Delete, DiskPath(rg, "extra"), version: "2022-07-02")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Fact]
    public async Task A_managed_VM_backs_up_end_to_end_with_a_recovery_point_holding_both_its_managed_disks()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-mbak-" + Guid.NewGuid().ToString("N")[..6];
        await PutAsync(app.Arm, ArmTestClient.VmPath(rg, "vmmanaged"), ManagedVm(), "2024-07-01");
        await app.Arm.PutVaultAsync(rg, "vault1");
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmmanaged")) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        await app.StartAgentAsync("vmmanaged");
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmmanaged"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmmanaged") + "/recoveryPoints"))["value"]!.AsArray());

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var disks = await db.ManagedDisks.Where(d => d.ResourceGroup == rg).ToListAsync();
        Assert.Equal(2, disks.Count);
        var key = $"{ArmTestClient.Sub}/{rg}/vmmanaged".ToLowerInvariant();
        var vmId = await db.VirtualMachines.Where(v => v.Key == key).Select(v => v.Id).SingleAsync();
        var item = await db.ProtectedItems.SingleAsync(i => i.VirtualMachineId == vmId);
        var pointDisks = await db.RecoveryPoints.Where(r => r.ProtectedItemId == item.Id).SelectMany(r => r.Disks).ToListAsync();
        Assert.Equal(disks.Select(d => d.BlobName).Order(), pointDisks.Select(d => new Azure.Storage.Blobs.BlobUriBuilder(new Uri(d.SourceBlobUri)).BlobName).Order());
        Assert.All(pointDisks, d => Assert.NotNull(d.Snapshot));
    }
}
