using System.Net;
using BackupControlPlane.Api.Tests.Infrastructure;
using static BackupControlPlane.Api.Tests.Features.Network.NetworkFixtures;

namespace BackupControlPlane.Api.Tests.Features.VirtualMachines;

/// <summary>A VM keeps what Azure keeps of its PUT, never its secrets, and refuses by name what the emulator does not keep.</summary>
public sealed class VmSpecTests
{
    [Fact]
    public async Task A_VM_keeps_its_profiles_identity_and_zones_but_never_returns_adminPassword_or_customData()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-spec-" + Guid.NewGuid().ToString("N")[..6];
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ManagedVm()))!;
        body["zones"] = new System.Text.Json.Nodes.JsonArray("2");
        body["identity"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "SystemAssigned" };
        body["properties"]!["securityProfile"] = System.Text.Json.Nodes.JsonNode.Parse("""{"securityType":"TrustedLaunch","uefiSettings":{"secureBootEnabled":true,"vTpmEnabled":true}}""");
        body["properties"]!["diagnosticsProfile"] = System.Text.Json.Nodes.JsonNode.Parse("""{"bootDiagnostics":{"enabled":true}}""");
        using (var put = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmspec1"), body.ToJsonString(), "2024-07-01"))
        {
            var text = await put.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.DoesNotContain("Never-Returned-1!", text);
            Assert.DoesNotContain("I2Nsb3VkLWNvbmZpZw==", text);
        }
        var vm = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmspec1"), "2024-07-01");
        var p = vm["properties"]!;
        Assert.Equal("azureuser", p["osProfile"]!["adminUsername"]!.GetValue<string>());
        Assert.Null(p["osProfile"]!["adminPassword"]);
        Assert.Null(p["osProfile"]!["customData"]);
        Assert.Equal("TrustedLaunch", p["securityProfile"]!["securityType"]!.GetValue<string>());
        Assert.True(p["securityProfile"]!["uefiSettings"]!["vTpmEnabled"]!.GetValue<bool>());
        Assert.True(p["diagnosticsProfile"]!["bootDiagnostics"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("Canonical", p["storageProfile"]!["imageReference"]!["publisher"]!.GetValue<string>());
        Assert.Equal("2", vm["zones"]![0]!.GetValue<string>());
        var principal = vm["identity"]!["principalId"]!.GetValue<string>();
        Assert.True(Guid.TryParse(principal, out _));
        Assert.Null(vm["properties"]!["instanceView"]);

        // A second PUT (the GET sent back, as az vm update does) keeps the identity's principal.
        using (var again = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, "vmspec1"), vm.ToJsonString(), "2024-07-01"))
            Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        Assert.Equal(principal, (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmspec1"), "2024-07-01"))["identity"]!["principalId"]!.GetValue<string>());

        // $expand=instanceView inlines the instance view; another $expand is refused by name.
        var expanded = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmspec1") + "?$expand=instanceView", "2024-07-01");
        Assert.Contains(expanded["properties"]!["instanceView"]!["statuses"]!.AsArray(), s => s!["code"]!.GetValue<string>() == "PowerState/running");
        var (status, code, message) = await FailAsync(app.Arm, HttpMethod.Get, ArmTestClient.VmPath(rg, "vmspec1") + "?$expand=userData", version: "2024-07-01");
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter"), (status, code));
        Assert.Contains("userData", message);
    }

    [Theory]
    [InlineData("""{"userData":"abc"}""", "properties.userData")]
    [InlineData("""{"osProfile":{"adminUsername":"a","linuxConfiguration":{"ssh":{"publicKeys":[{"path":"/p","keyData":7}]}}}}""", "properties.osProfile.linuxConfiguration.ssh.publicKeys[0].keyData")]
    [InlineData("""{"securityProfile":{"securityType":"Trusted"}}""", "properties.securityProfile.securityType")]
    [InlineData("""{"networkProfile":{"networkInterfaceConfigurations":[]}}""", "properties.networkProfile.networkInterfaceConfigurations")]
    public async Task A_member_the_emulator_does_not_keep_or_of_the_wrong_shape_is_refused_by_its_path(string properties, string path)
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-spec-" + Guid.NewGuid().ToString("N")[..6];
        var body = System.Text.Json.Nodes.JsonNode.Parse(properties)!.AsObject();
        body["storageProfile"] = System.Text.Json.Nodes.JsonNode.Parse("""{"osDisk":{"osType":"Linux","name":"os","diskSizeGB":30}}""");
        var (status, _, message) = await FailAsync(app.Arm, HttpMethod.Put, ArmTestClient.VmPath(rg, "vmbad"),
            new System.Text.Json.Nodes.JsonObject { ["location"] = "eastus", ["properties"] = body }.ToJsonString(), "2024-07-01");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"'{path}'", message);
        using var get = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.VmPath(rg, "vmbad"), version: "2024-07-01");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode); // nothing half-made
    }
}
