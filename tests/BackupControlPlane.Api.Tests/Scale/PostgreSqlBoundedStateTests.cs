using System.Net;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Scale;

/// <summary>
/// The queries behind paging, item health and history pruning on PostgreSQL: its collation orders and compares the
/// string keys, its uuid the tie-break, and the correlated "latest settled backup" runs there too.
/// </summary>
public sealed class PostgreSqlBoundedStateTests
{
    [Fact]
    public async Task On_PostgreSql_lists_page_health_follows_a_failed_backup_and_history_is_pruned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time, new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = await SharedPostgres.NewDatabaseAsync("bcp_bounded"),
            ["Emulator:PageSize"] = "2", ["Emulator:JobHistoryRetention"] = "1.00:00:00",
        });
        const string rg = "rg-pg-bounded";
        var vms = new[] { "vma", "vmb", "vmc" };
        foreach (var vm in vms) await app.Arm.ProtectedVmAsync(rg, "vault1", vm);
        var v = ArmTestClient.VaultPath(rg, "vault1");
        Assert.Equal(vms, (await AllAsync(app, v + "/backupProtectedItems")).Select(i => i["properties"]!["friendlyName"]!.GetValue<string>()));
        Assert.Equal(vms, (await AllAsync(app, v + "/backupProtectionContainers")).Select(i => i["properties"]!["friendlyName"]!.GetValue<string>()));
        Assert.Equal(vms, (await AllAsync(app, ArmTestClient.Rg(rg) + "/providers/Microsoft.Compute/virtualMachines")).Select(i => i["name"]!.GetValue<string>()));
        var configureJobs = await AllAsync(app, v + "/backupJobs"); // three jobs of one instant: the uuid tie-break pages them
        Assert.Equal(3, configureJobs.Select(j => j["name"]!.GetValue<string>()).Distinct().Count());

        await app.StartAgentAsync("vma");
        await app.SetFaultAsync("vma", new { mode = "fail", code = 402 });
        var failed = await app.Arm.WaitForJobAsync(rg, "vault1", (await app.Arm.BackupNowAsync(rg, "vault1", "vma"))["name"]!.GetValue<string>());
        Assert.Equal("Failed", failed["properties"]!["status"]!.GetValue<string>());
        var item = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vma")))["properties"]!;
        Assert.Equal("ActionRequired", item["healthStatus"]!.GetValue<string>());
        Assert.Equal("ExtentionOperationFailed", item["healthDetails"]![0]!["title"]!.GetValue<string>());

        time.Advance(TimeSpan.FromDays(2));
        await app.RenewTokenAsync();
        using var maintenance = await app.Client.PostAsync("/emulator/maintenance/run", null);
        Assert.Equal(HttpStatusCode.OK, maintenance.StatusCode);
        var retention = JsonNode.Parse(await maintenance.Content.ReadAsStringAsync())!["retention"]!;
        Assert.Equal(3, retention["jobsPruned"]!.GetValue<int>()); // the ConfigureBackup jobs; the failure is vma's latest
        Assert.Equal([failed["name"]!.GetValue<string>()], (await AllAsync(app, v + "/backupJobs")).Select(j => j["name"]!.GetValue<string>()));
    }

    private static async Task<List<JsonNode>> AllAsync(EmulatorApp app, string path)
    {
        var rows = new List<JsonNode>();
        for (string? link = ArmTestClient.WithVersion(path); link is not null;)
        {
            var page = JsonNode.Parse(await app.Client.GetStringAsync(link))!;
            rows.AddRange(page["value"]!.AsArray().Select(x => x!));
            link = page["nextLink"]?.GetValue<string>();
        }
        return rows;
    }
}
