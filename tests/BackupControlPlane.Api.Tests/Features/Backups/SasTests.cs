using Microsoft.Extensions.Logging.Abstractions;
using System.Web;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BackupControlPlane.Api.Infrastructure;
using BackupControlPlane.Api.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Backups;

/// <summary>SAS URIs handed to agents: one blob, read and write only, short-lived, and really enforced by Azurite.</summary>
public sealed class SasTests
{
    private static async Task<(BlobStorage Storage, FakeTimeProvider Time, BlobServiceClient Service)> StorageAsync()
    {
        var service = new BlobServiceClient(await SharedAzurite.ConnectionStringAsync());
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        return (new BlobStorage(service, new BlobDurability(service, NullLogger<BlobDurability>.Instance), Options.Create(new StorageOptions { SasLifetime = TimeSpan.FromMinutes(30) }), new TransportClock(time)), time, service);
    }

    [Fact]
    public async Task A_disk_SAS_is_scoped_to_one_blob_with_read_write_only_and_a_short_expiry()
    {
        var (storage, time, _) = await StorageAsync();
        var query = HttpUtility.ParseQueryString(storage.ReadWriteSas("vhds", "x/os.vhd").Query);
        Assert.Equal("rw", query["sp"]);
        Assert.Equal("b", query["sr"]);
        var start = DateTimeOffset.Parse(query["st"]!);
        var expiry = DateTimeOffset.Parse(query["se"]!);
        Assert.True(expiry - time.GetUtcNow() <= TimeSpan.FromMinutes(30));
        Assert.True(start <= time.GetUtcNow());
        Assert.NotNull(query["sig"]);
    }

    [Fact]
    public async Task Azurite_enforces_the_SAS_scope_permissions_and_expiry()
    {
        var (storage, time, service) = await StorageAsync();
        var container = "sas-" + Guid.NewGuid().ToString("N")[..8];
        await storage.CreateContainerAsync(container, CancellationToken.None);
        await service.GetBlobContainerClient(container).GetPageBlobClient("disk.vhd").CreateAsync(4096);
        await service.GetBlobContainerClient(container).GetBlobClient("other.txt").UploadAsync(BinaryData.FromString("other"));

        var sas = storage.ReadWriteSas(container, "disk.vhd");
        var snapshot = await new BlobClient(sas).CreateSnapshotAsync();
        Assert.False(string.IsNullOrEmpty(snapshot.Value.Snapshot));

        // The same signature does not open a sibling blob, and cannot delete.
        var sibling = new BlobUriBuilder(sas) { BlobName = "other.txt" }.ToUri();
        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(sibling).DownloadContentAsync());
        Assert.Equal(403, denied.Status);
        var noDelete = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(sas).DeleteAsync());
        Assert.Equal(403, noDelete.Status);

        // A SAS minted an hour ago has expired.
        var hourAgo = new BlobStorage(service, new BlobDurability(service, NullLogger<BlobDurability>.Instance), Options.Create(new StorageOptions { SasLifetime = TimeSpan.FromMinutes(30) }), new TransportClock(new FakeTimeProvider(time.GetUtcNow().AddHours(-1))));
        var old = hourAgo.ReadWriteSas(container, "disk.vhd");
        var expired = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(old).CreateSnapshotAsync());
        Assert.Equal(403, expired.Status);
    }
}
