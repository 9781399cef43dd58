using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BackupControlPlane.Api.Tests.Features.Restore;

/// <summary>
/// Restore disks end to end, as a user drives it: back a VM up through the real loop, change its disks, restore, and
/// compare the restored VHDs with what the disks held at backup time.
/// </summary>
public sealed class RestoreTests(ITestOutputHelper output)
{
    private static string NewRg() => "rg-restore-" + Guid.NewGuid().ToString("N")[..6];

    private static Dictionary<string, string> Bag(JsonNode job) =>
        job["properties"]!["extendedInfo"]!["propertyBag"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    [Fact]
    public async Task Restore_disks_from_the_snapshot_tier_writes_the_disks_as_they_were_at_backup_time_with_a_config_blob()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = RestoreScenario.NewVm("vmsnap");
        var s = await RestoreScenario.BackedUpAsync(app, rg, vm, dataDisks: 1);
        await s.ChangeDisksAsync();
        await s.DeleteVaultCopiesAsync(); // only the snapshots can serve this restore

        var job = await s.WaitAsync(await s.StartRestoreAsync());
        var props = job["properties"]!;
        output.WriteLine($"Restore of a 2-disk VM ({s.AtBackup.Values.Sum(b => b.Length)} bytes) from snapshots took {props["duration"]}");
        Assert.Equal("Completed", props["status"]!.GetValue<string>());
        Assert.Equal("Restore", props["operation"]!.GetValue<string>());
        Assert.Equal("AzureIaaSVMJob", props["jobType"]!.GetValue<string>());
        Assert.Equal(vm, props["entityFriendlyName"]!.GetValue<string>());
        var task = Assert.Single(props["extendedInfo"]!["tasksList"]!.AsArray())!;
        Assert.Equal("Restore disks", task["taskId"]!.GetValue<string>());
        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.NotNull(task["endTime"]);

        var bag = Bag(job);
        Assert.Equal("Recover disks", bag["Job Type"]);
        Assert.Equal("restoresa", bag["Target Storage Account Name"]);
        Assert.Equal("rg-target", bag["Target resource group"]);
        Assert.Matches($"^{vm}-[0-9a-f]{{32}}$", bag["Config Blob Container Name"]);
        Assert.Equal($"config-{vm}-{job["name"]!.GetValue<string>()}.json", bag["Config Blob Name"]);
        Assert.Matches(@"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$", bag["Recovery point time "]);
        var container = bag["Config Blob Container Name"];
        Assert.EndsWith($"/{container}/{bag["Config Blob Name"]}", bag["Config Blob Uri"]);
        Assert.EndsWith($"/{container}/azuredeploy{job["name"]!.GetValue<string>()}.json", bag["Template Blob Uri"]);

        // Byte for byte what the disks held at backup time, not what they hold now.
        var restored = await s.RestoredAsync(container);
        foreach (var (disk, atBackup) in s.AtBackup)
        {
            Assert.True(restored.TryGetValue(disk + ".vhd", out var bytes), $"{disk}.vhd is missing from {container}: {string.Join(", ", restored.Keys)}");
            Assert.Equal(atBackup, bytes);
            Assert.NotEqual(await s.ReadAsync(s.Disks[disk].Container, s.Disks[disk].Blob), bytes);
        }
        Assert.Equal(s.AtBackup.Count + 2, restored.Count); // the disks, the config blob and the template

        var config = RestoreScenario.ParseConfig(restored[bag["Config Blob Name"]]);
        Assert.Equal(vm, config["name"]!.GetValue<string>());
        var storage = config["properties.storageProfile"]!;
        Assert.Equal("Linux", storage["osDisk"]!["osType"]!.GetValue<string>());
        Assert.Equal(bag["Config Blob Uri"].Replace(bag["Config Blob Name"], $"{vm}-os.vhd"), storage["osDisk"]!["vhd"]!["uri"]!.GetValue<string>());
        var data = Assert.Single(storage["dataDisks"]!.AsArray())!;
        Assert.Equal(0, data["lun"]!.GetValue<int>());
        Assert.Equal(s.AtBackup[$"{vm}-data0"], await s.ReadAsync(container, new BlobUriBuilder(new Uri(data["vhd"]!["uri"]!.GetValue<string>())).BlobName));
        Assert.Equal("Standard_D2s_v3", config["properties.hardwareProfile"]!["vmSize"]!.GetValue<string>());
        var template = JsonNode.Parse(restored[$"azuredeploy{job["name"]!.GetValue<string>()}.json"])!;
        Assert.Equal("Attach", template["resources"]![0]!["properties"]!["storageProfile"]!["osDisk"]!["createOption"]!.GetValue<string>());
        Assert.Equal("Standard_D2s_v3", template["parameters"]!["VirtualMachineSize"]!["defaultValue"]!.GetValue<string>()); // the source VM's own size

        // The snapshot tier served the restore and is still valid.
        var rp = await app.Arm.GetAsync($"{s.Item}/recoveryPoints/{s.RecoveryPoint}");
        Assert.Contains("InstantRP", rp["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Restore_falls_back_to_the_vault_copy_when_the_disk_snapshots_are_gone()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = RestoreScenario.NewVm("vmvault");
        var s = await RestoreScenario.BackedUpAsync(app, rg, vm, dataDisks: 1);
        await s.ChangeDisksAsync();
        await s.DeleteSnapshotsAsync(); // the recovery point still says InstantRP is valid; the restore must find out

        var job = await s.WaitAsync(await s.StartRestoreAsync());
        output.WriteLine($"Restore of a 2-disk VM from the vault copy took {job["properties"]!["duration"]}");
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var restored = await s.RestoredAsync(Bag(job)["Config Blob Container Name"]);
        foreach (var (disk, atBackup) in s.AtBackup) Assert.Equal(atBackup, restored[disk + ".vhd"]);

        // The recovery point now shows only the tier that is left.
        var rp = await app.Arm.GetAsync($"{s.Item}/recoveryPoints/{s.RecoveryPoint}");
        Assert.Equal(["HardenedRP"], rp["properties"]!["recoveryPointTierDetails"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_lun_list_restores_the_OS_disk_and_only_the_listed_data_disks()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = RestoreScenario.NewVm("vmluns");
        var s = await RestoreScenario.BackedUpAsync(app, rg, vm, dataDisks: 3);

        var job = await s.WaitAsync(await s.StartRestoreAsync(s.Body(luns: new[] { 2 })));
        Assert.Equal("Completed", job["properties"]!["status"]!.GetValue<string>());
        var bag = Bag(job);
        var restored = await s.RestoredAsync(bag["Config Blob Container Name"]);
        Assert.Equal([$"{vm}-data2.vhd", $"{vm}-os.vhd"], restored.Keys.Where(k => k.EndsWith(".vhd")).Order());
        Assert.Equal(s.AtBackup[$"{vm}-data2"], restored[$"{vm}-data2.vhd"]);
        var config = RestoreScenario.ParseConfig(restored[bag["Config Blob Name"]]);
        Assert.Equal([2], config["properties.storageProfile"]!["dataDisks"]!.AsArray().Select(d => d!["lun"]!.GetValue<int>()));

        // An empty list is the CLI's --restore-only-osdisk.
        var osOnly = await s.WaitAsync(await s.StartRestoreAsync(s.Body(luns: Array.Empty<int>())));
        var osRestored = await s.RestoredAsync(Bag(osOnly)["Config Blob Container Name"]);
        Assert.Equal([$"{vm}-os.vhd"], osRestored.Keys.Where(k => k.EndsWith(".vhd")));
    }

    [Fact]
    public async Task Restoring_a_point_whose_snapshots_and_vault_copy_are_gone_fails_the_job_with_UserErrorInstantRpNotFound()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = RestoreScenario.NewVm("vmgone");
        var s = await RestoreScenario.BackedUpAsync(app, rg, vm, dataDisks: 1);
        await s.DeleteSnapshotsAsync();
        await s.DeleteVaultCopiesAsync();

        var job = await s.WaitAsync(await s.StartRestoreAsync());
        var props = job["properties"]!;
        Assert.Equal("Failed", props["status"]!.GetValue<string>());
        Assert.NotNull(props["endTime"]);
        var error = Assert.Single(props["errorDetails"]!.AsArray())!;
        Assert.Equal("UserErrorInstantRpNotFound", error["errorTitle"]!.GetValue<string>());
        Assert.Contains("snapshot of the VM was not found", error["errorString"]!.GetValue<string>());
        Assert.Contains(s.RecoveryPoint, error["errorString"]!.GetValue<string>());
        Assert.NotEmpty(error["recommendations"]!.AsArray());
        Assert.Equal("Failed", props["extendedInfo"]!["tasksList"]![0]!["status"]!.GetValue<string>());
        Assert.False(await app.Blobs.GetBlobContainerClient(Bag(job)["Config Blob Container Name"]).ExistsAsync(), "a failed restore should write nothing");
    }

    [Fact]
    public async Task Bad_requests_answer_ARMs_error_envelope_and_store_nothing()
    {
        var app = await EmulatorApp.SharedAsync();
        var rg = NewRg();
        var vm = RestoreScenario.NewVm("vmbad");
        var s = await RestoreScenario.BackedUpAsync(app, rg, vm, dataDisks: 1);
        var rp = s.RecoveryPoint;
        var good = (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(s.Body(), System.Text.Json.JsonSerializerOptions.Web))!;
        JsonObject With(string key, JsonNode? value)
        {
            var body = good.DeepClone().AsObject();
            if (value is null) body["properties"]!.AsObject().Remove(key); else body["properties"]![key] = value;
            return body;
        }
        var cases = new (string Path, object Body, HttpStatusCode Status, string Code, string Says)[]
        {
            ($"{ArmTestClient.ItemPath(rg, "vault1", "nosuchvm")}/recoveryPoints/{rp}/restore", good, HttpStatusCode.NotFound, "ResourceNotFound", "nosuchvm"),
            ($"{s.Item}/recoveryPoints/123456789/restore", good, HttpStatusCode.NotFound, "ResourceNotFound", "recoveryPoints/123456789"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("objectType", "AzureFileShareRestoreRequest"), HttpStatusCode.BadRequest, "InvalidRequestContent", "IaasVMRestoreRequest"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("objectType", null), HttpStatusCode.BadRequest, "InvalidRequestContent", "objectType is required"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("recoveryType", "OriginalLocation"), HttpStatusCode.BadRequest, "BMSUserErrorNotSupported", "managed disks only"), // this VM's disks are VHDs
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("recoveryType", "AlternateLocation"), HttpStatusCode.BadRequest, "BMSUserErrorNotSupported", "unmanaged disks"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("storageAccountId", null), HttpStatusCode.BadRequest, "InvalidRequestContent", "storageAccountId is required"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("storageAccountId", "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/Bad_Name"), HttpStatusCode.BadRequest, "InvalidRequestContent", "not a storage account id"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("encryptionDetails", new JsonObject { ["encryptionEnabled"] = true }), HttpStatusCode.BadRequest, "BMSUserErrorNotSupported", "never encrypted"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("restoreDiskLunList", new JsonArray(0, 7)), HttpStatusCode.BadRequest, "InvalidRequestContent", "LUN 7"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("sourceResourceId", ArmTestClient.VmPath(rg, "othervm")), HttpStatusCode.BadRequest, "InvalidRequestContent", "not the VM"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", "{\"properties\": {\"objectType\": ", HttpStatusCode.BadRequest, "InvalidRequestContent", "could not be deserialized"),
            ($"{s.Item}/recoveryPoints/{rp}/restore", With("restoreDiskLunList", "zero"), HttpStatusCode.BadRequest, "InvalidRequestContent", "could not be deserialized"),
        };
        foreach (var (path, body, status, code, says) in cases)
        {
            using var response = await app.Arm.SendAsync(HttpMethod.Post, path, body is JsonObject o ? o.ToJsonString() : body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{body} answered {(int)response.StatusCode}: {text}");
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.Equal(code, error["code"]!.GetValue<string>());
            Assert.Contains(says, error["message"]!.GetValue<string>());
        }

        // A soft-deleted item keeps its points, but they restore only after an undelete, as in Azure.
        using (var delete = await app.Arm.SendAsync(HttpMethod.Delete, s.Item)) Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using (var soft = await s.PostRestoreAsync(good.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, soft.StatusCode);
            Assert.Equal("UserErrorBackupItemSoftDeleted", JsonNode.Parse(await soft.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }

        Assert.Empty(await s.RestoreJobsAsync());
        await foreach (var c in app.Blobs.GetBlobContainersAsync(prefix: vm + "-")) Assert.Fail($"a rejected restore left container {c.Name}");
    }
}
