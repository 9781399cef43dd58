using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Arm;

/// <summary>
/// Every list pages in the database: pages of Emulator:PageSize, a nextLink with an opaque $skiptoken that keeps the
/// request's other parameters, no row twice and none missed, even when rows are added between pages.
/// </summary>
public sealed class ListPagingTests
{
    [Fact]
    public async Task Every_list_pages_through_nextLink_without_repeating_or_missing_a_row()
    {
        // A clock held still: every job starts at the same instant, so the order's tie-break is what keeps pages apart.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new() { ["Emulator:PageSize"] = "2" });
        const string rg = "rg-pages";
        var vms = Enumerable.Range(0, 5).Select(i => $"vm{i}").ToList();
        foreach (var vm in vms) await app.Arm.ProtectedVmAsync(rg, "vault1", vm);
        await app.Arm.PutVaultAsync(rg, "vault2");
        var v = ArmTestClient.VaultPath(rg, "vault1");

        var items = await AllPagesAsync(app, v + "/backupProtectedItems?$filter=" + Uri.EscapeDataString("backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"), 3);
        Assert.Equal(vms, items.Select(i => i["properties"]!["friendlyName"]!.GetValue<string>()));
        var containers = await AllPagesAsync(app, v + "/backupProtectionContainers", 3);
        Assert.Equal(vms, containers.Select(c => c["properties"]!["friendlyName"]!.GetValue<string>()));
        Assert.Equal(vms, (await AllPagesAsync(app, ArmTestClient.Rg(rg) + "/providers/Microsoft.Compute/virtualMachines", 3, "2024-07-01"))
            .Select(x => x["name"]!.GetValue<string>()));
        Assert.Equal(["vault1", "vault2"], (await AllPagesAsync(app, ArmTestClient.Rg(rg) + "/providers/Microsoft.RecoveryServices/vaults", 1, "2022-10-01"))
            .Select(x => x["name"]!.GetValue<string>()));
        foreach (var name in new[] { "p1", "p2" })
            using (var put = await app.Arm.SendAsync(HttpMethod.Put, v + "/backupPolicies/" + name, Features.Policies.PolicyTests.DailyPolicy("2020-01-01T03:00:00Z", 7)))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(["DefaultPolicy", "p1", "p2"], (await AllPagesAsync(app, v + "/backupPolicies", 2)).Select(x => x["name"]!.GetValue<string>()));

        // Jobs: a filter stays on every page; a job started between two pages (newest first, so before the position)
        // neither repeats a row nor hides one.
        var configure = v + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'ConfigureBackup'");
        var first = await app.Arm.GetAsync(configure);
        var next = first["nextLink"]!.GetValue<string>();
        Assert.Contains("%24filter=", next.Replace("$filter=", "%24filter="));
        Assert.Contains("api-version=" + ArmTestClient.ApiVersion, next);
        time.Advance(TimeSpan.FromMinutes(1));
        await app.Arm.PutVmAsync(rg, "vm5");
        using (var enabled = await app.Arm.EnableProtectionAsync(rg, "vault1", "vm5")) Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        var seen = first["value"]!.AsArray().Select(j => j!["name"]!.GetValue<string>()).ToList();
        for (string? link = next; link is not null;)
        {
            var page = JsonNode.Parse(await app.Client.GetStringAsync(link))!;
            seen.AddRange(page["value"]!.AsArray().Select(j => j!["name"]!.GetValue<string>()));
            link = page["nextLink"]?.GetValue<string>();
        }
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(6, (await AllPagesAsync(app, configure, 3)).Count); // read afresh, the new one is there

        using var forged = await app.Arm.SendAsync(HttpMethod.Get, v + "/backupJobs?$skiptoken=12");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("\"InvalidSkipToken\"", await forged.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Recovery_points_page_newest_first()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:PageSize"] = "2" });
        const string rg = "rg-rp-pages";
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmrp");
        await app.StartAgentAsync("vmrp");
        for (var i = 0; i < 3; i++)
        {
            var job = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vmrp"))["name"]!.GetValue<string>());
            Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        }
        var points = await AllPagesAsync(app, ArmTestClient.ItemPath(rg, "vault1", "vmrp") + "/recoveryPoints", 2);
        Assert.Equal(3, points.Select(p => p["name"]!.GetValue<string>()).Distinct().Count());
        var times = points.Select(p => p["properties"]!["recoveryPointTime"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    /// <summary>Follows nextLink as clients do (the absolute URL, as given) and checks how many pages it took.</summary>
    private static async Task<List<JsonNode>> AllPagesAsync(EmulatorApp app, string path, int expectedPages, string version = ArmTestClient.ApiVersion)
    {
        var rows = new List<JsonNode>();
        var pages = 0;
        for (string? link = ArmTestClient.WithVersion(path, version); link is not null; pages++)
        {
            using var response = await app.Client.GetAsync(link);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {link} answered {(int)response.StatusCode}: {text}");
            var page = JsonNode.Parse(text)!;
            rows.AddRange(page["value"]!.AsArray().Select(x => x!));
            link = page["nextLink"]?.GetValue<string>();
        }
        Assert.Equal(expectedPages, pages);
        Assert.Equal(rows.Count, rows.Select(r => r["id"]!.GetValue<string>()).Distinct().Count());
        return rows;
    }
}
