using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BackupControlPlane.Api.Tests.Features.Protection;

/// <summary>Backup now, stop (keep data), resume, stop and delete data — the long-running calls the az CLI makes.</summary>
public sealed class ProtectionLifecycleTests
{
    private static string NewRg() => "rg-life-" + Guid.NewGuid().ToString("N")[..6];

    private static async Task<JsonNode> OperationJobAsync(EmulatorApp app, HttpResponseMessage accepted, string rg)
    {
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotNull(accepted.Headers.Location);
        var opId = new Uri(accepted.Headers.GetValues("Azure-AsyncOperation").Single()).AbsolutePath.Split('/').Last();
        var op = await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupOperations/{opId}");
        Assert.Equal("Succeeded", op["status"]!.GetValue<string>());
        return await app.Arm.GetAsync($"{ArmTestClient.VaultPath(rg, "vault1")}/backupJobs/{op["properties"]!["jobId"]!.GetValue<string>()}");
    }

    [Fact]
    public async Task Backup_now_makes_an_on_demand_recovery_point_and_refuses_a_second_while_one_runs()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmnow");
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmnow");
        var expiry = DateTimeOffset.UtcNow.AddDays(10);

        using var first = await app.Arm.SendAsync(HttpMethod.Post, item + "/backup", new { properties = new { objectType = "IaasVMBackupRequest", recoveryPointExpiryTimeInUTC = expiry } });
        var job = await OperationJobAsync(app, first, rg);
        Assert.Equal("Backup", job["properties"]!["operation"]!.GetValue<string>());
        Assert.Equal("InProgress", job["properties"]!["status"]!.GetValue<string>());

        using var second = await app.Arm.SendAsync(HttpMethod.Post, item + "/backup", new { properties = new { objectType = "IaasVMBackupRequest" } });
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("UserErrorBackupOperationInProgress", await second.Content.ReadAsStringAsync());

        await app.StartAgentAsync("vmnow");
        var done = await app.Arm.WaitForJobAsync(rg, "vault1", job["name"]!.GetValue<string>());
        Assert.Equal("Completed", done["properties"]!["status"]!.GetValue<string>());
        var rp = Assert.Single((await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray())!;
        var rpExpiry = DateTimeOffset.Parse(rp["properties"]!["recoveryPointExpiryTimeInUTC"]!.GetValue<string>());
        Assert.True(Math.Abs((rpExpiry - expiry).TotalSeconds) < 1);
    }

    [Fact]
    public async Task Stopping_protection_keeps_the_points_and_skips_scheduled_backups_until_resumed()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmstop");
        await app.StartAgentAsync("vmstop");
        var due = await app.Arm.RunDueAsync(rg);
        await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmstop"));
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmstop");

        // A stop that also names another policy would change two things at once: refused by name, nothing changed.
        using (var both = await app.Arm.SendAsync(HttpMethod.Put, item, new
        {
            properties = new { protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, "vmstop"), policyId = ArmTestClient.VaultPath(rg, "vault1") + "/backupPolicies/other", protectionState = "ProtectionStopped" },
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
            Assert.Contains("properties.policyId", await both.Content.ReadAsStringAsync());
        }
        Assert.Equal("Protected", (await app.Arm.GetAsync(item))["properties"]!["protectionState"]!.GetValue<string>());

        // As the CLI sends it: protectionState ProtectionStopped and policyId "".
        using var stop = await app.Arm.SendAsync(HttpMethod.Put, item, new
        {
            properties = new { protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, "vmstop"), policyId = "", protectionState = "ProtectionStopped" },
        });
        var job = await OperationJobAsync(app, stop, rg);
        Assert.Equal("DisableBackup", job["properties"]!["operation"]!.GetValue<string>());
        var stopped = await app.Arm.GetAsync(item);
        Assert.Equal("ProtectionStopped", stopped["properties"]!["protectionState"]!.GetValue<string>());
        Assert.Single((await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray());

        var nothing = await app.Arm.RunDueAsync(rg, DateTimeOffset.UtcNow.AddDays(3));
        Assert.Empty(nothing["jobs"]!.AsArray().Where(j => j!["properties"]!["entityFriendlyName"]!.GetValue<string>() == "vmstop"));

        using var resume = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmstop");
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        Assert.Equal("Protected", (await app.Arm.GetAsync(item))["properties"]!["protectionState"]!.GetValue<string>());
        var again = await app.Arm.RunDueAsync(rg, DateTimeOffset.UtcNow.AddDays(4));
        Assert.Equal("Completed", (await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(again, "vmstop")))["properties"]!["status"]!.GetValue<string>());
    }

    /// <summary>The OS disk's blob snapshots and the item's vault copies (one per disk: OS and data).</summary>
    private static async Task<(int Snapshots, int VaultCopies)> BackupBlobsAsync(EmulatorApp app, string rg, string vm, string dataId)
    {
        var vmJson = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm));
        var osBlob = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(vmJson["properties"]!["storageProfile"]!["osDisk"]!["vhd"]!["uri"]!.GetValue<string>()));
        var snapshots = 0;
        await foreach (var b in app.Blobs.GetBlobContainerClient(osBlob.BlobContainerName).GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Snapshots, Prefix = osBlob.BlobName }))
            if (b.Snapshot is not null) snapshots++;
        var copies = 0;
        await foreach (var c in app.Blobs.GetBlobContainersAsync(prefix: "vault-"))
            await foreach (var _ in app.Blobs.GetBlobContainerClient(c.Name).GetBlobsAsync(new GetBlobsOptions { Prefix = dataId + "/" })) copies++;
        return (snapshots, copies);
    }

    private static async Task<string> BackedUpItemAsync(EmulatorApp app, string rg, string vm)
    {
        await app.Arm.ProtectedVmAsync(rg, "vault1", vm);
        await app.StartAgentAsync(vm);
        var due = await app.Arm.RunDueAsync(rg);
        await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, vm));
        return (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", vm)))["properties"]!["protectedItemDataId"]!.GetValue<string>();
    }

    [Fact]
    public async Task Without_soft_delete_deleting_backup_data_removes_item_points_snapshots_and_vault_copies_but_keeps_the_extension()
    {
        using var app = await EmulatorApp.StartAsync(settings: new() { ["Emulator:SoftDeleteRetentionDays"] = "0" });
        const string rg = "rg-harddel";
        var dataId = await BackedUpItemAsync(app, rg, "vmdel");
        Assert.Equal((1, 2), await BackupBlobsAsync(app, rg, "vmdel", dataId));
        Assert.Equal("Disabled", (await app.Arm.GetAsync(ArmTestClient.VaultPath(rg, "vault1")))["properties"]!["securitySettings"]!["softDeleteSettings"]!["softDeleteState"]!.GetValue<string>());
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmdel");

        using var delete = await app.Arm.SendAsync(HttpMethod.Delete, item);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Contains("/vaults/vault1/backupOperations/", delete.Headers.GetValues("Azure-AsyncOperation").Single());
        Assert.Contains("/backupOperationResults/", delete.Headers.Location!.ToString());
        using (var result = await app.Client.GetAsync(delete.Headers.Location)) Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        var job = await OperationJobAsync(app, delete, rg);
        Assert.Equal("DeleteBackupData", job["properties"]!["operation"]!.GetValue<string>());

        using (var gone = await app.Arm.SendAsync(HttpMethod.Get, item)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal((0, 0), await BackupBlobsAsync(app, rg, "vmdel", dataId));
        Assert.Single((await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmdel") + "/extensions"))["value"]!.AsArray());
        using (var again = await app.Arm.SendAsync(HttpMethod.Delete, item)) Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task With_soft_delete_deleted_data_stays_14_days_can_be_undeleted_and_is_purged_after()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await EmulatorApp.StartAsync(time);
        const string rg = "rg-softdel";
        var dataId = await BackedUpItemAsync(app, rg, "vmsoft");
        var item = ArmTestClient.ItemPath(rg, "vault1", "vmsoft");

        using (var delete = await app.Arm.SendAsync(HttpMethod.Delete, item)) Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var soft = (await app.Arm.GetAsync(item))["properties"]!;
        Assert.True(soft["isScheduledForDeferredDelete"]!.GetValue<bool>());
        Assert.Equal("ProtectionStopped", soft["protectionState"]!.GetValue<string>());
        Assert.Equal(time.GetUtcNow().AddDays(14), DateTimeOffset.Parse(soft["deferredDeleteTimeInUTC"]!.GetValue<string>()));
        Assert.Equal((1, 2), await BackupBlobsAsync(app, rg, "vmsoft", dataId));

        // Protecting a soft-deleted item again is refused until it is undeleted (the CLI's 'protection undelete').
        using (var refused = await app.Arm.EnableProtectionAsync(rg, "vault1", "vmsoft")) Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using (var undelete = await app.Arm.SendAsync(HttpMethod.Put, item, new
        {
            properties = new { protectedItemType = "Microsoft.Compute/virtualMachines", sourceResourceId = ArmTestClient.VmPath(rg, "vmsoft"), protectionState = "ProtectionStopped", isRehydrate = true },
        })) Assert.Equal(HttpStatusCode.Accepted, undelete.StatusCode);
        Assert.Null((await app.Arm.GetAsync(item))["properties"]!["isScheduledForDeferredDelete"]);

        // Deleted again, and left alone: the daily retention run purges it after 14 days, blobs included.
        using (var delete = await app.Arm.SendAsync(HttpMethod.Delete, item)) Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        time.Advance(TimeSpan.FromDays(13));
        await app.RenewTokenAsync();
        await RunRetentionAsync(app);
        // Still recoverable from the vault; its snapshot tier expired after the policy's 2 instant-restore days.
        Assert.Equal((0, 2), await BackupBlobsAsync(app, rg, "vmsoft", dataId));
        var point = Assert.Single((await app.Arm.GetAsync(item + "/recoveryPoints"))["value"]!.AsArray())!;
        Assert.Equal(["HardenedRP"], point["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        time.Advance(TimeSpan.FromDays(2));
        await app.RenewTokenAsync();
        await RunRetentionAsync(app);
        using (var gone = await app.Arm.SendAsync(HttpMethod.Get, item)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal((0, 0), await BackupBlobsAsync(app, rg, "vmsoft", dataId));
    }

    private static async Task RunRetentionAsync(EmulatorApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BackupControlPlane.Api.Features.Backups.RetentionPruner>().RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Refresh_containers_answers_202_and_its_result_204_as_the_CLI_polls_it()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.PutVaultAsync(rg, "vault1");
        using var refresh = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.VaultPath(rg, "vault1") + "/backupFabrics/Azure/refreshContainers");
        Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        Assert.Contains("/backupFabrics/Azure/operationResults/", refresh.Headers.Location!.ToString());
        using var result = await app.Client.GetAsync(refresh.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
    }

    [Fact]
    public async Task Restore_of_a_recovery_point_the_item_does_not_have_answers_404()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmrestore");
        using var r = await app.Arm.SendAsync(HttpMethod.Post, ArmTestClient.ItemPath(rg, "vault1", "vmrestore") + "/recoveryPoints/1/restore",
            new { properties = new { objectType = "IaasVMRestoreRequest", recoveryType = "RestoreDisks" } });
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        var error = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("ResourceNotFound", error["code"]!.GetValue<string>());
        Assert.Contains("/recoveryPoints/1", error["message"]!.GetValue<string>());
    }
}
