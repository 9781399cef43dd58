using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// Enhanced (V2) policies and Trusted Launch VMs through the az CLI (issue 20): an hourly policy created, shown and
/// changed from a JSON file, an interval Azure does not offer refused, a Trusted Launch VM protected with it, and an
/// item that may move from a Standard to an Enhanced policy but not back.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzEnhancedPolicyTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1";
    private const string Policy = "Enhanced4h";

    [Fact]
    public async Task An_hourly_Enhanced_policy_is_created_shown_and_changed_and_protects_a_Trusted_Launch_VM_while_an_item_never_goes_back_to_Standard()
    {
        var s = new AzCliScenario(fx, output, "enhanced");
        await fx.Arm.PutVaultAsync(s.Rg, Vault);
        await PutTrustedLaunchVmAsync(s.Rg, "tlvm");
        await fx.Arm.PutVmAsync(s.Rg, "stdvm", dataDisks: 0);
        string[] vault = ["-g", s.Rg, "-v", Vault];

        // Create from a JSON file (the shape of Azure's IaaS_v2_hourly example), then show it.
        var created = (await s.Az(["backup", "policy", "create", .. vault, "-n", Policy, "--backup-management-type", "AzureIaasVM",
            "--policy", "@" + fx.WriteFile("enhanced.json", HourlyPolicy(interval: 4).ToJsonString()), "-o", "json"])).Json();
        Assert.Equal("V2", created["properties"]!["policyType"]!.GetValue<string>());
        var shown = (await s.Az(["backup", "policy", "show", .. vault, "-n", Policy, "-o", "json"])).Json()["properties"]!;
        s.Note("policy show: " + shown.ToJsonString());
        Assert.Equal("SimpleSchedulePolicyV2", shown["schedulePolicy"]!["schedulePolicyType"]!.GetValue<string>());
        Assert.Equal("Hourly", shown["schedulePolicy"]!["scheduleRunFrequency"]!.GetValue<string>());
        Assert.Equal(4, shown["schedulePolicy"]!["hourlySchedule"]!["interval"]!.GetValue<int>());
        Assert.Equal(12, shown["schedulePolicy"]!["hourlySchedule"]!["scheduleWindowDuration"]!.GetValue<int>());
        Assert.Equal(7, shown["instantRpRetentionRangeInDays"]!.GetValue<int>()); // Azure's default for Enhanced policies

        // Set: every 6 hours instead; an interval of 5 hours is refused with Azure's policy code.
        var changed = (await s.Az(["backup", "policy", "set", .. vault, "-n", Policy,
            "--policy", "@" + fx.WriteFile("enhanced6.json", HourlyPolicy(interval: 6).ToJsonString()), "-o", "json"])).Json();
        Assert.Equal(6, changed["properties"]!["schedulePolicy"]!["hourlySchedule"]!["interval"]!.GetValue<int>());
        var refused = await s.Az(["backup", "policy", "set", .. vault, "-n", Policy,
            "--policy", "@" + fx.WriteFile("enhanced5.json", HourlyPolicy(interval: 5).ToJsonString())]);
        Assert.False(refused.Succeeded);
        Assert.Contains("BMSUserErrorInvalidPolicyInput", refused.StdErr);
        Assert.Contains("every 4, 6, 8 or 12 hours", refused.StdErr);

        // A Trusted Launch VM: the CLI itself refuses the Standard DefaultPolicy; the service too, at the CLI's api-version
        // (before 2025-01-01). The Enhanced policy protects it.
        var standard = await s.Az(["backup", "protection", "enable-for-vm", .. vault, "--vm", "tlvm", "-p", "DefaultPolicy"]);
        Assert.False(standard.Succeeded);
        Assert.Contains("Trusted VM can only be protected using Enhanced Policy", standard.StdErr);
        using (var old = await fx.Arm.EnableProtectionAsync(s.Rg, Vault, "tlvm"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
            Assert.Contains("UserErrorTrustedLaunchVMRequiresEnhancedPolicy", await old.Content.ReadAsStringAsync());
        }
        var enabled = (await s.Az(["backup", "protection", "enable-for-vm", .. vault, "--vm", "tlvm", "-p", Policy, "-o", "json"])).Json();
        Assert.Equal("Completed", enabled["properties"]!["status"]!.GetValue<string>());
        Assert.EndsWith("/" + Policy, (await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, "tlvm")))["properties"]!["policyId"]!.GetValue<string>());

        // A standard VM on DefaultPolicy moves to the Enhanced policy; moving it back is refused.
        using (var std = await fx.Arm.EnableProtectionAsync(s.Rg, Vault, "stdvm")) Assert.Equal(HttpStatusCode.Accepted, std.StatusCode);
        string[] item = ["backup", "item", "set-policy", .. vault, "-c", "stdvm", "-n", "stdvm", "--backup-management-type", "AzureIaasVM"];
        (await s.Az([.. item, "-p", Policy])).AssertSucceeded();
        var back = await s.Az([.. item, "-p", "DefaultPolicy"]);
        Assert.False(back.Succeeded);
        Assert.Contains("UserErrorPolicyTypeChangeToStandardNotAllowed", back.StdErr);
        Assert.EndsWith("/" + Policy, (await fx.Arm.GetAsync(ArmTestClient.ItemPath(s.Rg, Vault, "stdvm")))["properties"]!["policyId"]!.GetValue<string>());
    }

    private async Task PutTrustedLaunchVmAsync(string rg, string vm)
    {
        using var response = await fx.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, vm), new
        {
            location = "eastus",
            properties = new
            {
                hardwareProfile = new { vmSize = "Standard_D2s_v3" },
                securityProfile = new { securityType = "TrustedLaunch", uefiSettings = new { secureBootEnabled = true, vTpmEnabled = true } },
                storageProfile = new { osDisk = new { osType = "Linux", name = $"{vm}-os", diskSizeGB = 30 } },
            },
        }, "2022-08-01");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every <paramref name="interval"/> hours from 08:00 for 12 hours, 30 days of daily retention and 12 weeks on Sundays.</summary>
    private static JsonObject HourlyPolicy(int interval) => new()
    {
        ["properties"] = new JsonObject
        {
            ["backupManagementType"] = "AzureIaasVM", ["policyType"] = "V2", ["timeZone"] = "UTC",
            ["schedulePolicy"] = new JsonObject
            {
                ["schedulePolicyType"] = "SimpleSchedulePolicyV2", ["scheduleRunFrequency"] = "Hourly",
                ["hourlySchedule"] = new JsonObject { ["interval"] = interval, ["scheduleWindowStartTime"] = "2021-12-17T08:00:00Z", ["scheduleWindowDuration"] = 12 },
            },
            ["retentionPolicy"] = new JsonObject
            {
                ["retentionPolicyType"] = "LongTermRetentionPolicy",
                ["dailySchedule"] = new JsonObject
                {
                    ["retentionTimes"] = new JsonArray("2021-12-17T08:00:00Z"), ["retentionDuration"] = new JsonObject { ["count"] = 30, ["durationType"] = "Days" },
                },
                ["weeklySchedule"] = new JsonObject
                {
                    ["daysOfTheWeek"] = new JsonArray("Sunday"), ["retentionTimes"] = new JsonArray("2021-12-17T08:00:00Z"),
                    ["retentionDuration"] = new JsonObject { ["count"] = 12, ["durationType"] = "Weeks" },
                },
            },
        },
    };
}
