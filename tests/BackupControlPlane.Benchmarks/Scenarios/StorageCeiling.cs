using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace BackupControlPlane.Benchmarks.Scenarios;

/// <summary>
/// The latency scenario's ceilings: Azurite alone doing, one operation at a time, the blob requests one backup and one
/// restore make (same sizes: two 1 MiB page blobs), with the durability flushes the service asks for
/// (POST /__bcp/flush on the project's Azurite). p50 over <c>n</c> repetitions each, in milliseconds.
/// </summary>
public static class StorageCeiling
{
    public sealed record Ceilings(double Backup, double Restore);

    public static async Task<Ceilings> MeasureAsync(string connectionString, int n)
    {
        var service = new BlobServiceClient(connectionString);
        using var flushClient = new HttpClient();
        var flushUri = new UriBuilder(service.Uri) { Path = "/__bcp/flush", Query = "" }.Uri;
        async Task Flush() { using var _ = await flushClient.PostAsync(flushUri, null); }

        var disks = service.GetBlobContainerClient("bench-lat-disks-" + Guid.NewGuid().ToString("N")[..8]);
        var vault = service.GetBlobContainerClient("bench-lat-vault-" + Guid.NewGuid().ToString("N")[..8]);
        var target = service.GetBlobContainerClient("bench-lat-restore-" + Guid.NewGuid().ToString("N")[..8]);
        await disks.CreateAsync();
        await vault.CreateAsync();
        await target.CreateAsync();
        var sas = new List<Uri>();
        for (var d = 0; d < 2; d++)
        {
            await disks.GetPageBlobClient($"disk{d}.vhd").CreateAsync(1024 * 1024);
            sas.Add(disks.GetBlobClient($"disk{d}.vhd").GenerateSasUri(BlobSasPermissions.Read | BlobSasPermissions.Write, DateTimeOffset.UtcNow.AddMinutes(30)));
        }

        var backup = new List<double>();
        var restore = new List<double>();
        for (var i = 0; i <= n; i++)
        {
            var clock = Stopwatch.StartNew();
            // Backup: the task's logs container (durable first), the agent's snapshots and status/log blobs, the service's
            // status read and flush, the two copies into the vault and their flush.
            var logs = service.GetBlobContainerClient($"bench-lat-logs-{Guid.NewGuid():N}");
            await logs.CreateAsync();
            await Flush();
            var snapshots = await Task.WhenAll(sas.Select(async s => (await new BlobClient(s).CreateSnapshotAsync()).Value.Snapshot));
            await logs.GetBlobClient("status.json").UploadAsync(BinaryData.FromString(new string('s', 1200)), overwrite: true);
            await logs.GetBlobClient("log.txt").UploadAsync(BinaryData.FromString(new string('l', 600)), overwrite: true);
            (await logs.GetBlobClient("status.json").DownloadContentAsync()).Value.Content.ToArray();
            await Flush();
            for (var d = 0; d < 2; d++)
            {
                var source = disks.GetPageBlobClient($"disk{d}.vhd").WithSnapshot(snapshots[d]).GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(15));
                await vault.GetPageBlobClient($"p{i}/disk{d}.vhd").StartCopyFromUriAsync(source);
                await vault.GetPageBlobClient($"p{i}/disk{d}.vhd").GetPropertiesAsync();
            }
            await Flush();
            if (i > 0) backup.Add(clock.Elapsed.TotalMilliseconds); // the first is a warm-up

            // Restore disks: each vault copy out to the target container, then a flush.
            clock.Restart();
            for (var d = 0; d < 2; d++)
            {
                var source = vault.GetPageBlobClient($"p{i}/disk{d}.vhd").GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(15));
                await target.GetPageBlobClient($"r{i}/disk{d}.vhd").StartCopyFromUriAsync(source);
                await target.GetPageBlobClient($"r{i}/disk{d}.vhd").GetPropertiesAsync();
            }
            await Flush();
            if (i > 0) restore.Add(clock.Elapsed.TotalMilliseconds);
            await logs.DeleteAsync();
        }
        await Task.WhenAll(disks.DeleteAsync(), vault.DeleteAsync(), target.DeleteAsync());
        return new Ceilings(Median(backup), Median(restore));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
