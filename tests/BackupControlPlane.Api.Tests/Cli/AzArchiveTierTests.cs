using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.RecoveryPoints;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Cli;

/// <summary>
/// The archive tier through the az CLI (issue 20): monthly points aged past Azure's thresholds on a fake clock,
/// <c>recoverypoint list --recommended-for-archive</c>, <c>recoverypoint move</c> (the data moves to the archive
/// container), the service's refusal of a plain restore, <c>restore-disks --rehydration-priority High
/// --rehydration-duration 12</c> (rehydrate, then restore), fetchTieringCost, and smart tiering (TierAfter) moving a
/// point by itself in the daily run, whose rehydrated copy also expires there. The CLI talks to an emulator of its own,
/// because only that one's clock can be moved.
/// </summary>
[Collection(AzCliCollection.Name)]
public sealed class AzArchiveTierTests(AzCliFixture fx, ITestOutputHelper output)
{
    private const string Vault = "vault1", Vm = "vmarchive", Policy = "MonthlyPolicy";
    // Unique per run: the vault's containers in the run's one Azurite are named after it.
    private static readonly string Rg = "rg-archive-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Monthly_points_are_recommended_moved_rehydrated_for_a_restore_and_tiered_by_the_policy()
    {
        // The clock starts now (agents' and az's certificates are checked against it); the policy's monthly rule keeps the
        // backups of the next two 02:00 slots' weekdays, for 12 months.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var slot = time.GetUtcNow().UtcDateTime.Date.AddHours(2);
        if (slot <= time.GetUtcNow().UtcDateTime) slot = slot.AddDays(1);
        _days = [slot.DayOfWeek.ToString(), slot.AddDays(1).DayOfWeek.ToString()];
        using var app = await EmulatorApp.StartAsync(time, https: true);
        await app.Arm.PutVmAsync(Rg, Vm);
        await app.Arm.PutVaultAsync(Rg, Vault);
        await PutPolicyAsync(app, tiering: null, HttpStatusCode.OK);
        using (var enabled = await app.Arm.EnableProtectionAsync(Rg, Vault, Vm, Policy)) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        await app.StartAgentAsync(Vm);
        var first = await BackupAsync(app);
        time.Advance(TimeSpan.FromDays(1));
        await app.RenewTokenAsync();
        var second = await BackupAsync(app);
        var item = ArmTestClient.ItemPath(Rg, Vault, Vm);
        var young = await app.Arm.GetAsync(item + "/recoveryPoints/" + first);
        Assert.False(Readiness(young)["isReadyForMove"]!.GetValue<bool>());
        Assert.Contains("lifespan spent in Vault-Standard-Tier is lesser than the required minimum", Readiness(young)["additionalInfo"]!.GetValue<string>());
        Assert.Equal("MinLifeSpanInStandardRequiredForArchive", Code(await MoveAsync(app, first)));

        // 100 days on: both are 3 months in Vault-Standard with 6 months of retention left.
        time.Advance(TimeSpan.FromDays(100));
        await app.RenewTokenAsync();
        var s = new AzCliScenario(fx, output, "archive", Configure(app));
        string[] itemArgs = ["-g", Rg, "-v", Vault, "-c", Vm, "-i", Vm, "-o", "json"];
        var recommended = (await s.Az(["backup", "recoverypoint", "list", .. itemArgs, "--backup-management-type", "AzureIaasVM", "--recommended-for-archive"])).Json().AsArray();
        Assert.Equal(new[] { first, second }.Order(), recommended.Select(p => p!["name"]!.GetValue<string>()).Order());
        Assert.All(recommended, p => Assert.True(Readiness(p!)["isReadyForMove"]!.GetValue<bool>()));
        var savings = await CostAsync(app, new { objectType = "FetchTieringCostSavingsInfoForVaultRequest", sourceTierType = "HardenedRP", targetTierType = "ArchivedRP" });
        Assert.True(savings["sourceTierSizeReductionInBytes"]!.GetValue<long>() > 0);

        // The move: a MoveRecoveryPoint job, then the point is ArchivedRP only and its data in the archive container.
        var moved = (await s.Az(["backup", "recoverypoint", "move", .. itemArgs, "-n", first, "--backup-management-type", "AzureIaasVM", "--source-tier", "VaultStandard", "--destination-tier", "VaultArchive"])).Json();
        Assert.Equal("MoveRecoveryPoint", moved["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(Rg, Vault, moved["name"]!.GetValue<string>()))["properties"]!["status"]!.GetValue<string>());
        var archived = await app.Arm.GetAsync(item + "/recoveryPoints/" + first);
        Assert.Equal("ArchivedRP:Valid", Tiers(archived));
        Assert.Equal("UserErrorRecoveryPointAlreadyInArchiveTier", Code(await MoveAsync(app, first)));
        var dataId = (await app.Arm.GetAsync(item))["properties"]!["protectedItemDataId"]!.GetValue<string>();
        Assert.Equal((0, 2), await CopiesAsync(app, dataId, first));

        // Restoring it needs rehydration: the service refuses a plain request; the CLI's rehydrating restore runs.
        using (var plain = await app.Arm.SendAsync(HttpMethod.Post, $"{item}/recoveryPoints/{first}/restore", new
        {
            properties = new { objectType = "IaasVMRestoreRequest", recoveryType = "RestoreDisks", storageAccountId = $"{ArmTestClient.Rg(Rg)}/providers/Microsoft.Storage/storageAccounts/azarchive" },
        }))
            Assert.Equal("UserErrorRecoveryPointNotRehydrated", Code(plain));
        var restore = (await s.Az(["backup", "restore", "restore-disks", .. itemArgs, "-r", first, "--storage-account", "azarchive",
            "--rehydration-priority", "High", "--rehydration-duration", "12"])).Json();
        var restored = await app.Arm.WaitForJobAsync(Rg, Vault, restore["name"]!.GetValue<string>());
        Assert.Equal("Completed", restored["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("High", restored["properties"]!["extendedInfo"]!["propertyBag"]!["Rehydration Priority"]!.GetValue<string>());
        var rehydrated = await app.Arm.GetAsync(item + "/recoveryPoints/" + first);
        Assert.Equal("InstantRP:Deleted HardenedRP:Deleted ArchivedRP:Rehydrated", Tiers(rehydrated));
        var expiry = rehydrated["properties"]!["recoveryPointTierDetails"]![2]!["extendedInfo"]!["RehydratedRPExpiryTime"]!.GetValue<string>();
        Assert.Equal(time.GetUtcNow().AddDays(12), DateTimeOffset.Parse(expiry));
        var cost = await CostAsync(app, new { objectType = "FetchTieringCostInfoForRehydrationRequest", sourceTierType = "ArchivedRP", targetTierType = "HardenedRP",
            containerName = $"IaasVMContainer;iaasvmcontainerv2;{Rg};{Vm}", protectedItemName = $"VM;iaasvmcontainerv2;{Rg};{Vm}", recoveryPointId = first, rehydrationPriority = "High" });
        Assert.True(cost["rehydrationSizeInBytes"]!.GetValue<long>() > 0);

        // Smart tiering: TierAfter 2 months is refused (Azure's minimum is 3); 3 months moves the other point in the daily run.
        await PutPolicyAsync(app, new { ArchivedRP = new { tieringMode = "TierAfter", duration = 2, durationType = "Months" } }, HttpStatusCode.BadRequest);
        var policy = await PutPolicyAsync(app, new { ArchivedRP = new { tieringMode = "TierAfter", duration = 3, durationType = "Months" } }, HttpStatusCode.OK);
        Assert.Equal("TierAfter", policy["properties"]!["tieringPolicy"]!["ArchivedRP"]!["tieringMode"]!.GetValue<string>());
        Assert.Equal(new SmartTiering.Result(1, 0), await TieringRunAsync(app));
        await WaitAsync(app, item + "/recoveryPoints/" + second, "ArchivedRP:Valid");

        // Past the rehydration's 12 days, the daily run deletes the rehydrated copy: the point is archive-only again.
        time.Advance(TimeSpan.FromDays(13));
        await app.RenewTokenAsync();
        Assert.Equal(new SmartTiering.Result(0, 1), await TieringRunAsync(app));
        Assert.Equal("ArchivedRP:Valid", Tiers(await app.Arm.GetAsync(item + "/recoveryPoints/" + first)));
        Assert.Equal((0, 2), await CopiesAsync(app, dataId, first));
    }

    private string[] _days = [];

    private async Task<JsonNode> PutPolicyAsync(EmulatorApp app, object? tiering, HttpStatusCode expected)
    {
        var weeks = new[] { "First", "Second", "Third", "Fourth", "Last" };
        using var response = await app.Arm.SendAsync(HttpMethod.Put, $"{ArmTestClient.VaultPath(Rg, Vault)}/backupPolicies/{Policy}", new
        {
            properties = new
            {
                backupManagementType = "AzureIaasVM", timeZone = "UTC", instantRpRetentionRangeInDays = 2,
                schedulePolicy = new { schedulePolicyType = "SimpleSchedulePolicy", scheduleRunFrequency = "Daily", scheduleRunTimes = new[] { "2020-01-01T02:00:00Z" } },
                retentionPolicy = new
                {
                    retentionPolicyType = "LongTermRetentionPolicy",
                    dailySchedule = new { retentionTimes = new[] { "2020-01-01T02:00:00Z" }, retentionDuration = new { count = 30, durationType = "Days" } },
                    monthlySchedule = new
                    {
                        retentionScheduleFormatType = "Weekly", retentionScheduleWeekly = new { daysOfTheWeek = _days, weeksOfTheMonth = weeks },
                        retentionTimes = new[] { "2020-01-01T02:00:00Z" }, retentionDuration = new { count = 12, durationType = "Months" },
                    },
                },
                tieringPolicy = tiering,
            },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"PUT policy answered {(int)response.StatusCode}: {text}");
        if (expected != HttpStatusCode.OK) Assert.Contains("TierAfterDuration needs to be >= 3 months", text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>The next scheduled backup (the policy's 02:00 slot), done; returns its recovery point's name.</summary>
    private static async Task<string> BackupAsync(EmulatorApp app)
    {
        var job = await app.Arm.WaitForJobAsync(Rg, Vault, ArmTestClient.BackupJobOf(await app.Arm.RunDueAsync(Rg), Vm));
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var points = (await app.Arm.GetAsync(ArmTestClient.ItemPath(Rg, Vault, Vm) + "/recoveryPoints"))["value"]!.AsArray();
        return points[0]!["name"]!.GetValue<string>(); // newest first
    }

    /// <summary>
    /// An az configuration of its own for this emulator: the fixture's (cloud registered, logged in with the managed
    /// identity) copied, with this emulator's endpoints in place of the fixture's; tokens come from its MSI endpoint.
    /// </summary>
    private AzCli Configure(EmulatorApp app)
    {
        var home = Path.Combine(app.DataDirectory, "az");
        var env = new Dictionary<string, string>(fx.AzEnvironment)
        {
            ["AZURE_CONFIG_DIR"] = Path.Combine(home, "azure"), ["HOME"] = home,
            ["REQUESTS_CA_BUNDLE"] = Path.Combine(app.DataDirectory, "tls", "ca.pem"),
            ["MSI_ENDPOINT"] = new Uri(app.Client.BaseAddress!, "/metadata/identity/oauth2/token").ToString(),
        };
        var source = fx.AzEnvironment["AZURE_CONFIG_DIR"];
        var arm = app.Addresses.First(a => a.StartsWith("https://")) + "/";
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(env["AZURE_CONFIG_DIR"], Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) == "clouds.config") File.WriteAllText(target, File.ReadAllText(file).Replace(fx.Emulator.HttpsBase.ToString(), arm));
            else File.Copy(file, target);
        }
        return new AzCli(fx.Az.Executable, env);
    }

    private static JsonNode Readiness(JsonNode point) => point["properties"]!["recoveryPointMoveReadinessInfo"]!["ArchivedRP"]!;

    private static string Tiers(JsonNode point) => string.Join(' ', point["properties"]!["recoveryPointTierDetails"]!.AsArray()
        .Select(t => $"{t!["type"]!.GetValue<string>()}:{t["status"]!.GetValue<string>()}"));

    private static string Code(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["error"]!["code"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> MoveAsync(EmulatorApp app, string rp) =>
        await app.Arm.SendAsync(HttpMethod.Post, $"{ArmTestClient.ItemPath(Rg, Vault, Vm)}/recoveryPoints/{rp}/move", new { sourceTierType = "HardenedRP", targetTierType = "ArchivedRP" });

    private static async Task<JsonNode> CostAsync(EmulatorApp app, object body)
    {
        using var response = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.VaultPath(Rg, Vault) + "/backupTieringCost/default/fetchTieringCost", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"fetchTieringCost answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<SmartTiering.Result> TieringRunAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SmartTiering>().RunAsync(CancellationToken.None);
    }

    private static async Task WaitAsync(EmulatorApp app, string point, string tiers)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); Tiers(await app.Arm.GetAsync(point)) != tiers; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, $"{point} never showed {tiers}");
    }

    /// <summary>How many of the point's disk copies the vault container and the archive container hold.</summary>
    private static async Task<(int Standard, int Archive)> CopiesAsync(EmulatorApp app, string dataId, string rp)
    {
        var vault = BlobStorage.VaultContainer(ResourceKeys.Of(EmulatorApp.Subscription, Rg, Vault));
        async Task<int> Count(string container)
        {
            var n = 0;
            var client = app.Blobs.GetBlobContainerClient(container);
            if (!await client.ExistsAsync()) return 0;
            await foreach (var _ in client.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{dataId}/{rp}/" })) n++;
            return n;
        }
        return (await Count(vault), await Count(BlobStorage.ArchiveContainer(vault)));
    }
}
