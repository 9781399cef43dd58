using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Tests.Infrastructure;
using BackupControlPlane.Contracts;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>The whole loop as a user drives it: enable, run-due, the agent snapshots real blobs, job and recovery point.</summary>
public sealed class BackupLoopTests
{
    private static string NewRg() => "rg-loop-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task First_scheduled_backup_installs_VMSnapshot_and_ends_with_a_two_tier_recovery_point()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vm1", os: "Windows", dataDisks: 1);
        await app.StartAgentAsync("vm1");

        var due = await app.Arm.RunDueAsync(rg);
        var slot = due["slots"]!.AsArray().Single()!;
        Assert.Equal("DefaultPolicy", slot["policy"]!.GetValue<string>());
        var jobName = ArmTestClient.BackupJobOf(due, "vm1");

        var job = await app.Arm.WaitForJobAsync(rg, "vault1", jobName);
        var props = job["properties"]!;
        Assert.Equal("Completed", props["status"]!.GetValue<string>());
        Assert.Equal("Backup", props["operation"]!.GetValue<string>());
        Assert.Equal("AzureIaaSVMJob", props["jobType"]!.GetValue<string>());
        var tasks = props["extendedInfo"]!["tasksList"]!.AsArray();
        Assert.Equal(["Take Snapshot", "Transfer data to vault"], tasks.Select(t => t!["taskId"]!.GetValue<string>()));
        Assert.All(tasks, t => Assert.Equal("Completed", t!["status"]!.GetValue<string>()));
        Assert.NotNull(props["endTime"]);

        // The extension: installed by this first backup, Windows flavour, public settings only.
        var ext = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vm1") + "/extensions/VMSnapshot", "2024-11-01");
        var ep = ext["properties"]!;
        Assert.Equal("Microsoft.Azure.RecoveryServices", ep["publisher"]!.GetValue<string>());
        Assert.Equal("VMSnapshot", ep["type"]!.GetValue<string>());
        Assert.Equal("1.9", ep["typeHandlerVersion"]!.GetValue<string>());
        Assert.True(ep["autoUpgradeMinorVersion"]!.GetValue<bool>());
        Assert.Equal("Succeeded", ep["provisioningState"]!.GetValue<string>());
        Assert.Equal("snapshot", ep["settings"]!["commandToExecute"]!.GetValue<string>());
        Assert.Matches(@"^[0-9a-f\-]{36}_1$", ep["settings"]!["taskId"]!.GetValue<string>());
        Assert.Null(ep["protectedSettings"]);
        var vm = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vm1"), "2022-08-01");
        Assert.Contains(vm["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "VMSnapshot");

        // The recovery point: both tiers, and its disks are real snapshots with real vault copies.
        var points = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vm1") + "/recoveryPoints"))["value"]!.AsArray();
        var rp = Assert.Single(points)!;
        Assert.Equal("IaasVMRecoveryPoint", rp["properties"]!["objectType"]!.GetValue<string>());
        Assert.Equal(["InstantRP", "HardenedRP"], rp["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));

        var item = await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vm1"));
        Assert.Equal("Protected", item["properties"]!["protectionState"]!.GetValue<string>());
        Assert.Equal("Completed", item["properties"]!["lastBackupStatus"]!.GetValue<string>());
        Assert.Equal(1, item["properties"]!["extendedInfo"]!["recoveryPointCount"]!.GetValue<int>());

        var disks = vm["properties"]!["storageProfile"]!;
        var diskUris = new[] { disks["osDisk"]!["vhd"]!["uri"]!.GetValue<string>() }
            .Concat(disks["dataDisks"]!.AsArray().Select(d => d!["vhd"]!["uri"]!.GetValue<string>())).ToList();
        var vhds = app.Blobs.GetBlobContainerClient("vhds");
        foreach (var uri in diskUris)
        {
            var blobName = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(uri)).BlobName;
            var snapshots = new List<BlobItem>();
            await foreach (var b in vhds.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, States = BlobStates.Snapshots, Prefix = blobName })) if (b.Snapshot is not null) snapshots.Add(b);
            Assert.Single(snapshots);
        }
        var vaultCopies = new List<string>();
        await foreach (var c in app.Blobs.GetBlobContainersAsync(prefix: "vault-"))
            await foreach (var b in app.Blobs.GetBlobContainerClient(c.Name).GetBlobsAsync(new GetBlobsOptions { Prefix = item["properties"]!["protectedItemDataId"]!.GetValue<string>() + "/" }))
                vaultCopies.Add($"{c.Name}/{b.Name}");
        Assert.Equal(2, vaultCopies.Count);
        var osCopy = vaultCopies.Single(n => n.EndsWith("disk-os.vhd"));
        var content = (await app.Blobs.GetBlobContainerClient(osCopy.Split('/')[0]).GetBlobClient(osCopy[(osCopy.IndexOf('/') + 1)..]).DownloadContentAsync()).Value.Content.ToArray();
        Assert.StartsWith("BackupControlPlane emulated disk", Encoding.UTF8.GetString(content, 0, 64));
        Assert.Contains("disk: vm1-os", Encoding.UTF8.GetString(content, 0, 512));
    }

    [Fact]
    public async Task Agent_writes_the_extension_status_document_and_log_into_the_task_container()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmstat", dataDisks: 2);
        await app.StartAgentAsync("vmstat");
        var due = await app.Arm.RunDueAsync(rg);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmstat"));
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());

        var ext = await app.Arm.GetAsync(ArmTestClient.VmPath(rg, "vmstat") + "/extensions/VMSnapshotLinux", "2024-11-01");
        var taskId = ext["properties"]!["settings"]!["taskId"]!.GetValue<string>();
        var container = app.Blobs.GetBlobContainerClient("bcdrextensionlogs-" + taskId.Split('_')[0]);
        var status = SnapshotStatusDocument.Parse((await container.GetBlobClient("vmstat.v2.Status.txt").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(taskId, status.Status.TaskId);
        Assert.Equal("success", status.Status.Status);
        Assert.Equal(3, status.Status.SnapshotInfo.Count);
        Assert.All(status.Status.SnapshotInfo, s => Assert.Contains("?snapshot=", s.SnapshotUri));
        var log = (await container.GetBlobClient("vmstat.v2.Logs.txt").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains(taskId, log);
    }

    [Fact]
    public async Task A_snapshot_that_fails_because_the_disk_blob_is_gone_fails_the_job_with_an_extension_error()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = await app.Arm.PutVmAsync(rg, "vmgone", dataDisks: 1);
        await app.Arm.PutVaultAsync(rg, "vault1");
        (await app.Arm.EnableProtectionAsync(rg, "vault1", "vmgone")).Dispose();
        var dataDisk = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(vm["properties"]!["storageProfile"]!["dataDisks"]![0]!["vhd"]!["uri"]!.GetValue<string>()));
        await app.Blobs.GetBlobContainerClient(dataDisk.BlobContainerName).DeleteBlobAsync(dataDisk.BlobName);
        await app.StartAgentAsync("vmgone");

        var due = await app.Arm.RunDueAsync(rg);
        var job = await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmgone"));
        var props = job["properties"]!;
        Assert.Equal("Failed", props["status"]!.GetValue<string>());
        var error = props["errorDetails"]![0]!;
        Assert.Equal("ExtentionOperationFailed", error["errorTitle"]!.GetValue<string>());
        Assert.Contains("404", error["errorString"]!.GetValue<string>());
        Assert.Equal("Failed", props["extendedInfo"]!["tasksList"]![0]!["status"]!.GetValue<string>());
        var points = (await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmgone") + "/recoveryPoints"))["value"]!.AsArray();
        Assert.Empty(points);
        var item = await app.Arm.GetAsync(ArmTestClient.ItemPath(rg, "vault1", "vmgone"));
        Assert.Equal("IRPending", item["properties"]!["protectionState"]!.GetValue<string>());
        Assert.Equal("Failed", item["properties"]!["lastBackupStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_list_filters_as_the_az_CLI_writes_them()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        await app.Arm.ProtectedVmAsync(rg, "vault1", "vmf");
        await app.StartAgentAsync("vmf");
        var due = await app.Arm.RunDueAsync(rg);
        await app.Arm.WaitForJobAsync(rg, "vault1", ArmTestClient.BackupJobOf(due, "vmf"));

        var jobs = ArmTestClient.VaultPath(rg, "vault1") + "/backupJobs";
        Assert.Equal(2, (await app.Arm.GetAsync(jobs))["value"]!.AsArray().Count);
        var configure = (await app.Arm.GetAsync(jobs + "?$filter=" + Uri.EscapeDataString("operation eq 'ConfigureBackup' and status eq 'Completed'")))["value"]!.AsArray();
        Assert.Equal("ConfigureBackup", Assert.Single(configure)!["properties"]!["operation"]!.GetValue<string>());
        var from = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd hh:mm:ss tt", System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd hh:mm:ss tt", System.Globalization.CultureInfo.InvariantCulture);
        var dated = (await app.Arm.GetAsync(jobs + "?$filter=" + Uri.EscapeDataString($"backupManagementType eq 'AzureIaasVM' and endTime eq '{to}' and operation eq 'Backup' and startTime eq '{from}'")))["value"]!.AsArray();
        Assert.Equal("Backup", Assert.Single(dated)!["properties"]!["operation"]!.GetValue<string>());
        using var bad = await app.Arm.SendAsync(HttpMethod.Get, jobs + "?$filter=" + Uri.EscapeDataString("colour eq 'blue'"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("InvalidRequestContent", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }
}
