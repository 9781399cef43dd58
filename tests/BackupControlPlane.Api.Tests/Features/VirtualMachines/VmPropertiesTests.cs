using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.VirtualMachines;

/// <summary>A VM answers with what it was created with: its size (or none, here and on its recovery points) and its tags.</summary>
public sealed class VmPropertiesTests
{
    [Fact]
    public async Task A_VM_answers_with_the_tags_it_was_last_put_with()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-tags-" + Guid.NewGuid().ToString("N")[..6];
        object Body(object? tags) => new { location = "eastus", tags, properties = new { storageProfile = new { osDisk = new { osType = "Linux", name = "os", diskSizeGB = 30 } } } };
        using (var put = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmtags"), Body(new { env = "test", owner = "backup" }), "2024-07-01"))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var vm = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmtags"), "2024-07-01");
        Assert.Equal("test", vm["tags"]!["env"]!.GetValue<string>());
        Assert.Equal("backup", vm["tags"]!["owner"]!.GetValue<string>());
        // A PUT replaces them, as ARM does.
        using (var again = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmtags"), Body(new { env = "prod" }), "2024-07-01"))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var tags = (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmtags"), "2024-07-01"))["tags"]!.AsObject();
        Assert.Equal(["env"], tags.Select(t => t.Key));
        Assert.Equal("prod", tags["env"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_VM_created_without_a_size_shows_none_and_neither_do_its_recovery_points()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-size-" + Guid.NewGuid().ToString("N")[..6];
        using (var put = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmnosize"),
                   new { location = "eastus", properties = new { storageProfile = new { osDisk = new { osType = "Linux", name = "os", diskSizeGB = 30 } } } }, "2024-07-01"))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var vm = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmnosize"), "2024-07-01");
        Assert.Null(vm["properties"]!["hardwareProfile"]);
        var sized = await app.Arm.PutVmAsync(rg, "vmsized"); // created with Standard_D2s_v3
        Assert.Equal("Standard_D2s_v3", sized["properties"]!["hardwareProfile"]!["vmSize"]!.GetValue<string>());

        await app.Arm.PutVaultAsync(rg, "vault1");
        foreach (var name in new[] { "vmnosize", "vmsized" })
        {
            using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", name)) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
            await app.StartAgentAsync(name);
            var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", name))["name"]!.GetValue<string>());
            Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        }
        var unsizedPoint = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmnosize") + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Null(unsizedPoint["properties"]!["virtualMachineSize"]);
        var sizedPoint = Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmsized") + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Equal("Standard_D2s_v3", sizedPoint["properties"]!["virtualMachineSize"]!.GetValue<string>());
    }
}
