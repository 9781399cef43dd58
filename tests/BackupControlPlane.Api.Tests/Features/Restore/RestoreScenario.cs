using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BackupControlPlane.Api.Tests.Infrastructure;

namespace BackupControlPlane.Api.Tests.Features.Restore;

/// <summary>A backed-up VM and the calls a user makes to restore it, shared by the restore tests.</summary>
public sealed class RestoreScenario(EmulatorApp app, string rg, string vm)
{
    public const string Vault = "vault1";

    /// <summary>A VM name of its own: agents find their VM by name, and restore containers are named after it.</summary>
    public static string NewVm(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    public string Vm => vm;

    public string Item => ArmTestClient.ItemPath(rg, Vault, vm);
    public string VaultPath => ArmTestClient.VaultPath(rg, Vault);
    public string RecoveryPoint { get; private set; } = "";
    /// <summary>Each disk's blob (container, name) by disk name, and what it held when the backup ran.</summary>
    public Dictionary<string, (string Container, string Blob)> Disks { get; } = [];
    public Dictionary<string, byte[]> AtBackup { get; } = [];

    /// <summary>Creates, protects and backs up the VM through the full loop (run-due, agent, snapshot, vault copy).</summary>
    public static async Task<RestoreScenario> BackedUpAsync(EmulatorApp app, string rg, string vm, int dataDisks = 1)
    {
        var s = new RestoreScenario(app, rg, vm);
        await app.Arm.ProtectedVmAsync(rg, Vault, vm, dataDisks: dataDisks);
        await app.StartAgentAsync(vm);
        var due = await app.Arm.RunDueAsync(rg);
        var backup = await app.Arm.WaitForJobAsync(rg, Vault, ArmTestClient.BackupJobOf(due, vm));
        Assert.Equal("Completed", backup["properties"]!["status"]!.GetValue<string>());
        s.RecoveryPoint = Assert.Single((await app.Arm.GetAsync(s.Item + "/recoveryPoints"))["value"]!.AsArray())!["name"]!.GetValue<string>();

        var profile = (await app.Arm.GetAsync(ArmTestClient.VmPath(rg, vm)))["properties"]!["storageProfile"]!;
        foreach (var disk in profile["dataDisks"]!.AsArray().Append(profile["osDisk"]))
        {
            var uri = new BlobUriBuilder(new Uri(disk!["vhd"]!["uri"]!.GetValue<string>()));
            var name = disk["name"]!.GetValue<string>();
            s.Disks[name] = (uri.BlobContainerName, uri.BlobName);
            s.AtBackup[name] = await s.ReadAsync(uri.BlobContainerName, uri.BlobName);
        }
        return s;
    }

    public async Task<byte[]> ReadAsync(string container, string blob) =>
        (await app.Blobs.GetBlobContainerClient(container).GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray();

    /// <summary>Writes new bytes over the disk's first page and into a page that was empty at backup time.</summary>
    public async Task ChangeDisksAsync()
    {
        foreach (var (container, blob) in Disks.Values)
        {
            var page = app.Blobs.GetBlobContainerClient(container).GetPageBlobClient(blob);
            foreach (var offset in new long[] { 0, 8192 })
            {
                var bytes = Encoding.UTF8.GetBytes($"changed after the backup at {offset}".PadRight(512, '!'));
                using var stream = new MemoryStream(bytes);
                await page.UploadPagesAsync(stream, offset);
            }
        }
    }

    public async Task DeleteSnapshotsAsync()
    {
        foreach (var (container, blob) in Disks.Values)
        {
            var c = app.Blobs.GetBlobContainerClient(container);
            await foreach (var b in c.GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Snapshots, Prefix = blob }))
                if (b.Snapshot is not null) await c.GetBlobClient(b.Name).WithSnapshot(b.Snapshot).DeleteAsync();
        }
    }

    public async Task DeleteVaultCopiesAsync()
    {
        var dataId = (await app.Arm.GetAsync(Item))["properties"]!["protectedItemDataId"]!.GetValue<string>();
        var deleted = 0;
        await foreach (var c in app.Blobs.GetBlobContainersAsync(prefix: "vault-"))
            await foreach (var b in app.Blobs.GetBlobContainerClient(c.Name).GetBlobsAsync(new GetBlobsOptions { Prefix = dataId + "/" }))
            {
                await app.Blobs.GetBlobContainerClient(c.Name).DeleteBlobAsync(b.Name);
                deleted++;
            }
        Assert.Equal(Disks.Count, deleted);
    }

    public object Body(object? luns = null, string account = "restoresa") => Body(RecoveryPoint, rg, vm, luns, account);

    public static object Body(string rp, string rg, string vm, object? luns = null, string account = "restoresa", string recoveryType = "RestoreDisks",
        string objectType = "IaasVMRestoreRequest") => new
    {
        properties = new
        {
            objectType, recoveryPointId = rp, recoveryType,
            sourceResourceId = ArmTestClient.VmPath(rg, vm),
            storageAccountId = $"{ArmTestClient.Rg("rg-storage")}/providers/Microsoft.Storage/storageAccounts/{account}",
            region = "eastus", createNewCloudService = true, originalStorageAccountOption = false,
            targetResourceGroupId = ArmTestClient.Rg("rg-target"),
            encryptionDetails = new { encryptionEnabled = false },
            restoreDiskLunList = luns,
        },
    };

    public Task<HttpResponseMessage> PostRestoreAsync(object body) =>
        app.Arm.SendAsync(HttpMethod.Post, $"{Item}/recoveryPoints/{RecoveryPoint}/restore", body);

    /// <summary>Triggers a restore and follows it as the az CLI does: Azure-AsyncOperation → backupOperations → the job.</summary>
    public async Task<string> StartRestoreAsync(object? body = null)
    {
        using var accepted = await PostRestoreAsync(body ?? Body(RecoveryPoint, rg, vm));
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"restore answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
        Assert.Contains("/operationResults/", accepted.Headers.Location!.ToString());
        Assert.NotNull(accepted.Headers.RetryAfter);
        var asyncOp = accepted.Headers.GetValues("Azure-AsyncOperation").Single();
        Assert.Contains($"{Item}/operationsStatus/", Uri.UnescapeDataString(asyncOp));
        using (var result = await app.Client.GetAsync(accepted.Headers.Location)) Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        var op = await app.Arm.GetAsync($"{VaultPath}/backupOperations/{new Uri(asyncOp).AbsolutePath.Split('/').Last()}");
        Assert.Equal("Succeeded", op["status"]!.GetValue<string>());
        return op["properties"]!["jobId"]!.GetValue<string>();
    }

    public Task<JsonNode> WaitAsync(string jobId) => app.Arm.WaitForJobAsync(rg, Vault, jobId);

    public async Task<JsonArray> RestoreJobsAsync() =>
        (await app.Arm.GetAsync($"{VaultPath}/backupJobs?$filter={Uri.EscapeDataString("operation eq 'Restore'")}"))["value"]!.AsArray();

    /// <summary>The blobs of a restore's container, by name, with their content.</summary>
    public async Task<Dictionary<string, byte[]>> RestoredAsync(string container)
    {
        var blobs = new Dictionary<string, byte[]>();
        await foreach (var b in app.Blobs.GetBlobContainerClient(container).GetBlobsAsync())
            blobs[b.Name] = await ReadAsync(container, b.Name);
        return blobs;
    }

    /// <summary>The config blob is UTF-16 with a byte-order mark, as Azure writes it.</summary>
    public static JsonNode ParseConfig(byte[] bytes)
    {
        Assert.True(bytes.AsSpan().StartsWith(Encoding.Unicode.GetPreamble()), "the config blob should start with a UTF-16LE byte-order mark");
        return JsonNode.Parse(Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2))!;
    }
}
