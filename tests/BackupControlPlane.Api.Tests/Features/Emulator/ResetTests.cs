using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Emulator;

/// <summary>
/// POST /emulator/reset on an app of its own (it empties everything): state present, a backup in flight, reset, every
/// list empty, the blobs gone, then a new VM is protected and backed up as on a fresh start. On SQLite and PostgreSQL.
/// </summary>
public abstract class ResetTestsBase
{
    protected static async Task State_present_then_reset_then_lists_empty_and_a_new_backup_works(EmulatorApp app, string rg)
    {
        await app.Arm.ProtectedVmAsync(rg, "vault1", "resetvm1");
        await app.Arm.ProtectedVmAsync(rg, "vault1", "resetvm2");
        await app.StartAgentAsync("resetvm1");
        await app.StartAgentAsync("resetvm2");
        var due = await app.Arm.RunDueAsync(rg);
        foreach (var vm in new[] { "resetvm1", "resetvm2" })
            Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, vm)))["properties"]!["status"]!.GetValue<string>());
        // A backup still running when the reset comes: its agent answers 30 s late.
        await app.SetFaultAsync("resetvm2", new { mode = "late", seconds = 30 });
        var inFlight = await app.Arm.BackupNowAsync(rg, "vault1", "resetvm2");
        Assert.Equal("InProgress", inFlight["properties"]!["status"]!.GetValue<string>());
        // Azurite is shared with the other apps of the run: only the containers this app's state names count.
        var containersBefore = (await ContainersAsync(app)).Intersect(await ContainersOfStateAsync(app)).ToList();
        Assert.Contains(containersBefore, c => c.StartsWith("vault-"));
        Assert.Contains(containersBefore, c => c.StartsWith("bcdrextensionlogs-"));

        using var reset = await app.Client.PostAsync("/emulator/reset", null);
        var body = await reset.Content.ReadAsStringAsync();
        Assert.True(reset.StatusCode == HttpStatusCode.OK, $"reset answered {(int)reset.StatusCode}: {body}");
        var result = JsonNode.Parse(body)!;
        Assert.True(result["rows"]!.GetValue<int>() > 0 && result["storageFailures"]!.GetValue<int>() == 0, body);

        foreach (var list in new[]
        {
            $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.RecoveryServices/vaults",
            $"/subscriptions/{ArmTestClient.Sub}/providers/Microsoft.Compute/virtualMachines",
            $"/subscriptions/{ArmTestClient.Sub}/resourcegroups",
        })
            Assert.Empty((await app.Arm.GetAsync(list, list.Contains("Compute") ? "2024-07-01" : list.EndsWith("resourcegroups") ? "2021-04-01" : ArmTestClient.ApiVersion))["value"]!.AsArray());
        Assert.Empty(await app.Client.GetFromJsonAsync<JsonArray>("/emulator/agents") ?? []);
        Assert.Equal(0, app.Service<JobStorage>().GetMonitoringApi().ScheduledCount());
        var containersAfter = await ContainersAsync(app);
        Assert.DoesNotContain(containersBefore, containersAfter.Contains);

        // A fresh start: the same names again, a new agent, a backup that completes with its recovery point.
        await app.Arm.ProtectedVmAsync(rg, "vault1", "resetvm1");
        await app.StartAgentAsync("resetvm1");
        var again = await app.Arm.RunDueAsync(rg);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(again, "resetvm1"));
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        Assert.Single((await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "resetvm1") + "/recoveryPoints"))["value"]!.AsArray());
        Assert.Single((await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs?$filter=" + Uri.EscapeDataString("operation eq 'Backup'")))["value"]!.AsArray());
    }

    private static async Task<List<string>> ContainersOfStateAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var vaults = (await db.Vaults.Select(v => v.Key).ToListAsync()).Select(BlobStorage.VaultContainer);
        return [.. vaults, .. await db.AgentTasks.Select(t => t.LogsContainer).ToListAsync()];
    }

    private static async Task<List<string>> ContainersAsync(EmulatorApp app)
    {
        var names = new List<string>();
        await foreach (var c in app.Blobs.GetBlobContainersAsync()) names.Add(c.Name);
        return names;
    }
}

public sealed class ResetTests : ResetTestsBase
{
    [Fact]
    public async Task On_SQLite_reset_empties_the_state_and_a_new_backup_works()
    {
        using var app = await EmulatorApp.StartAsync();
        await State_present_then_reset_then_lists_empty_and_a_new_backup_works(app, "rg-reset-sqlite");
    }

    [Fact]
    public async Task On_PostgreSql_reset_empties_the_state_and_a_new_backup_works()
    {
        using var app = await EmulatorApp.StartAsync(settings: new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Default"] = await SharedPostgres.NewDatabaseAsync("bcp_reset"),
        });
        await State_present_then_reset_then_lists_empty_and_a_new_backup_works(app, "rg-reset-pg");
    }

    [Fact]
    public async Task Reset_keeps_the_CA_unless_asked_and_a_new_CA_is_served_at_once()
    {
        using var app = await EmulatorApp.StartAsync(https: true);
        var caFile = Path.Combine(app.DataDirectory, "tls", "ca.pem");
        var before = await File.ReadAllTextAsync(caFile);
        (await app.Client.PostAsync("/emulator/reset", null)).EnsureSuccessStatusCode();
        Assert.Equal(before, await File.ReadAllTextAsync(caFile));

        (await app.Client.PostAsync("/emulator/reset?regenerateCa=true", null)).EnsureSuccessStatusCode();
        Assert.NotEqual(before, await File.ReadAllTextAsync(caFile));
        // A client trusting only the new CA talks to the same running service over HTTPS.
        using var https = new HttpClient(app.TrustingEmulatorCa()) { BaseAddress = new Uri(app.Addresses.First(a => a.StartsWith("https://"))) };
        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/healthz")).StatusCode);
    }
}
