using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Policies;

/// <summary>
/// Enhanced (V2) policies over ARM on the shared app: read back as Azure's example shows them, refused outside Azure's
/// limits with its code, and the VMs that may or may not use a Standard policy.
/// </summary>
public sealed class EnhancedPolicyTests
{
    private static JsonObject V2(JsonObject schedule, int? instantDays = null, string? consistency = null, string policyType = "V2") => new()
    {
        ["properties"] = new JsonObject
        {
            ["backupManagementType"] = "AzureIaasVM", ["policyType"] = policyType, ["timeZone"] = "Pacific Standard Time",
            ["instantRpRetentionRangeInDays"] = instantDays, ["snapshotConsistencyType"] = consistency, ["schedulePolicy"] = schedule,
            ["retentionPolicy"] = JsonNode.Parse("""
                {"retentionPolicyType":"LongTermRetentionPolicy","dailySchedule":{"retentionTimes":["2018-01-24T02:00:00Z"],"retentionDuration":{"count":1,"durationType":"Days"}},
                 "weeklySchedule":{"daysOfTheWeek":["Sunday"],"retentionTimes":["2018-01-24T02:00:00Z"],"retentionDuration":{"count":12,"durationType":"Weeks"}}}
                """),
        },
    };

    private static JsonObject Hourly(int interval, int duration, string type = "SimpleSchedulePolicyV2") => new()
    {
        ["schedulePolicyType"] = type, ["scheduleRunFrequency"] = "Hourly",
        ["hourlySchedule"] = new JsonObject { ["interval"] = interval, ["scheduleWindowStartTime"] = "2021-12-17T08:00:00Z", ["scheduleWindowDuration"] = duration },
    };

    private static readonly JsonObject Daily = JsonNode.Parse("""
        {"dailySchedule":{"scheduleRunTimes":["2018-01-24T10:00:00Z"]},"schedulePolicyType":"SimpleSchedulePolicyV2","scheduleRunFrequency":"Daily"}
        """)!.AsObject();

    private static JsonObject StandardWith(JsonObject v2)
    {
        var copy = v2.DeepClone().AsObject();
        copy["schedulePolicyType"] = "SimpleSchedulePolicy";
        return copy;
    }

    private static JsonObject Weekly() => JsonNode.Parse("""
        {"schedulePolicyType":"SimpleSchedulePolicyV2","scheduleRunFrequency":"Weekly","weeklySchedule":{"scheduleRunDays":["Sunday"],"scheduleRunTimes":["2018-01-24T10:00:00Z"]}}
        """)!.AsObject();

    [Fact]
    public async Task An_Enhanced_policy_reads_back_as_Azures_example_and_Azures_limits_are_refused_by_name()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-enh-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVaultAsync(rg, "vault1");
        var policies = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/";

        // Azure's v2-Get-Policy.json: a daily V2 policy, 30 days of snapshots, crash-consistent.
        using (var put = await app.Arm.SendAsync(HttpMethod.Put, policies + "v2-daily", V2(Daily.DeepClone().AsObject(), 30, "OnlyCrashConsistent")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = (await app.Arm.GetAsync(policies + "v2-daily"))["properties"]!;
        Assert.True(JsonNode.DeepEquals(Daily, read["schedulePolicy"]), read["schedulePolicy"]!.ToJsonString());
        Assert.Equal("V2", read["policyType"]!.GetValue<string>());
        Assert.Equal("OnlyCrashConsistent", read["snapshotConsistencyType"]!.GetValue<string>());
        Assert.Equal(30, read["instantRpRetentionRangeInDays"]!.GetValue<int>());
        var standard = (await app.Arm.GetAsync(policies + "DefaultPolicy"))["properties"]!;
        Assert.Null(standard["policyType"]); // a Standard policy reads back as before

        (JsonObject Body, string Mentions)[] refused =
        [
            (V2(Hourly(5, 12)), "every 4, 6, 8 or 12 hours"),
            (V2(Hourly(4, 10)), "a multiple of the interval"),
            (V2(Hourly(4, 12), instantDays: 18), "at most 17 days"),
            (V2(Daily.DeepClone().AsObject(), instantDays: 31), "between 1 to 30"),
            (V2(Weekly(), instantDays: 3), "5 to 20 days"),
            (V2(Daily.DeepClone().AsObject(), consistency: "AppConsistent"), "OnlyCrashConsistent"),
            (V2(Hourly(4, 12), policyType: "V1"), "set policyType 'V2'"),
            (V2(Hourly(4, 12, "SimpleSchedulePolicy"), policyType: "V1"), "hourlySchedule"),
            (V2(StandardWith(Daily), policyType: "V1"), "dailySchedule"), // a Standard policy with a V2 member
        ];
        foreach (var (body, mentions) in refused)
        {
            using var put = await app.Arm.SendAsync(HttpMethod.Put, policies + "bad", body);
            var text = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.BadRequest && text.Contains("BMSUserErrorInvalidPolicyInput") && text.Contains(mentions), $"{body.ToJsonString()} -> {text}");
        }

        // An Enhanced policy never becomes Standard.
        using (var change = await app.Arm.SendAsync(HttpMethod.Put, policies + "v2-daily", PolicyTests.DailyPolicy("2018-01-24T10:00:00Z", 30)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
            Assert.Contains("doesn't allow changing the policy type to Standard", await change.Content.ReadAsStringAsync());
        }
        using (var missing = await app.Arm.SendAsync(HttpMethod.Get, policies + "bad")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_Trusted_Launch_VM_takes_a_Standard_policy_from_api_version_2025_01_01_and_a_confidential_VM_never()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = "rg-tvm-" + Guid.NewGuid().ToString("N")[..6];
        await app.Arm.PutVaultAsync(rg, "vault1");
        foreach (var (vm, type) in new[] { ("tlvm", "TrustedLaunch"), ("cvm", "ConfidentialVM") })
        {
            using var put = await app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.VmPath(rg, vm), new
            {
                location = "eastus",
                properties = new
                {
                    hardwareProfile = new { vmSize = "Standard_D2s_v3" }, securityProfile = new { securityType = type },
                    storageProfile = new { osDisk = new { osType = "Linux", name = vm + "-os", diskSizeGB = 30 } },
                },
            }, "2024-07-01");
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            Assert.Equal(type, (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm), "2024-07-01"))["properties"]!["securityProfile"]!["securityType"]!.GetValue<string>());
        }

        // DefaultPolicy is Standard: the Trusted Launch VM takes it at 2025-02-01 (Azure since 2025); the confidential VM does not.
        using (var tl = await Enable(app, rg, "tlvm")) Assert.Equal(HttpStatusCode.Accepted, tl.StatusCode);
        using var cvm = await Enable(app, rg, "cvm");
        Assert.Equal(HttpStatusCode.BadRequest, cvm.StatusCode);
        Assert.Contains("UserErrorConfidentialVMRequiresEnhancedPolicy", await cvm.Content.ReadAsStringAsync());
        using (var none = await app.Arm.SendAsync(HttpMethod.Get, ArmTestClient.ItemPath(rg, "vault1", "cvm"))) Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    private static Task<HttpResponseMessage> Enable(EmulatorApp app, string rg, string vm) =>
        app.Arm.SendAsync(HttpMethod.Put, ArmTestClient.ItemPath(rg, "vault1", vm), new
        {
            properties = new
            {
                protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, vm),
                policyId = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/DefaultPolicy",
            },
        }, "2025-02-01");
}
