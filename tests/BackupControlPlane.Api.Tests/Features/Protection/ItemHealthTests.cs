using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Features.Protection;

/// <summary>
/// An item's health follows its backups as Azure shows it: a failed backup makes it Unhealthy / ActionRequired with the
/// failing error in healthDetails (and its container Unhealthy); the next good backup makes it Healthy / Passed again.
/// </summary>
public sealed class ItemHealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_failed_backup_shows_ActionRequired_with_its_error_until_a_backup_succeeds()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-health-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmhealth");
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmhealth");
        var enabled = (await app.Arm.GetAsync(item))["properties"]!;
        Assert.Equal("Passed", enabled["healthStatus"]!.GetValue<string>());
        Assert.Equal("Healthy", enabled["protectionStatus"]!.GetValue<string>());
        Assert.Null(enabled["healthDetails"]);
        Assert.Equal(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero), enabled["lastBackupTime"]!.GetValue<DateTimeOffset>()); // Azure's "never"

        await app.StartAgentAsync("vmhealth");
        await app.SetFaultAsync("vmhealth", new { mode = "fail", code = 402 });
        var failedJob = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmhealth"))["name"]!.GetValue<string>());
        Assert.Equal("Failed", failedJob["properties"]!["status"]!.GetValue<string>());

        var failed = await app.Arm.GetAsync(item);
        output.WriteLine("The item after a failed backup:\n" + failed["properties"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var props = failed["properties"]!;
        Assert.Equal("ActionRequired", props["healthStatus"]!.GetValue<string>());
        Assert.Equal("Unhealthy", props["protectionStatus"]!.GetValue<string>());
        Assert.Equal("Failed", props["lastBackupStatus"]!.GetValue<string>());
        Assert.Equal(failedJob["properties"]!["startTime"]!.GetValue<DateTimeOffset>(), props["lastBackupTime"]!.GetValue<DateTimeOffset>());
        var detail = Assert.Single(props["healthDetails"]!.AsArray())!;
        var jobError = failedJob["properties"]!["errorDetails"]![0]!;
        Assert.Equal("ExtentionOperationFailed", detail["title"]!.GetValue<string>());
        Assert.Equal(jobError["errorCode"]!.GetValue<int>(), detail["code"]!.GetValue<int>());
        Assert.Contains("code 402", detail["message"]!.GetValue<string>());
        Assert.NotEmpty(detail["recommendations"]!.AsArray());
        // The list answers the same, and the VM's container is unhealthy with it.
        var listed = Assert.Single((await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupProtectedItems"))["value"]!.AsArray())!;
        Assert.Equal("ActionRequired", listed["properties"]!["healthStatus"]!.GetValue<string>());
        Assert.Equal("ExtentionOperationFailed", listed["properties"]!["healthDetails"]![0]!["title"]!.GetValue<string>());
        Assert.Equal("Unhealthy", (await ContainerAsync(app, rg))["properties"]!["healthStatus"]!.GetValue<string>());

        await app.SetFaultAsync("vmhealth", null);
        var goodJob = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmhealth"))["name"]!.GetValue<string>());
        Assert.Equal("Completed", goodJob["properties"]!["status"]!.GetValue<string>());
        var healed = (await app.Arm.GetAsync(item))["properties"]!;
        Assert.Equal("Passed", healed["healthStatus"]!.GetValue<string>());
        Assert.Equal("Healthy", healed["protectionStatus"]!.GetValue<string>());
        Assert.Equal("Completed", healed["lastBackupStatus"]!.GetValue<string>());
        Assert.Null(healed["healthDetails"]);
        Assert.Equal(goodJob["properties"]!["startTime"]!.GetValue<DateTimeOffset>(), healed["lastBackupTime"]!.GetValue<DateTimeOffset>());
        var container = await ContainerAsync(app, rg);
        Assert.Equal("Healthy", container["properties"]!["healthStatus"]!.GetValue<string>());
        Assert.Equal("Registered", container["properties"]!["registrationStatus"]!.GetValue<string>());
    }

    private static async Task<JsonNode> ContainerAsync(EmulatorApp app, string rg) =>
        Assert.Single((await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupProtectionContainers?$filter="
            + Uri.EscapeDataString("backupManagementType eq 'AzureIaasVM' and friendlyName eq 'vmhealth' and status eq 'Registered'")))["value"]!.AsArray())!;
}
