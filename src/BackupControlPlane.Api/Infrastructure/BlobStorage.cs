using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using BackupControlPlane.Contracts;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Infrastructure;

/// <summary>
/// Everything the control plane does in blob storage, through Azure.Storage.Blobs only: emulated disks, the per-task
/// log containers, least-privilege SAS URIs for agents, and the vault's own copies of snapshots.
/// </summary>
public sealed class BlobStorage(BlobServiceClient service, BlobDurability durability, IOptions<StorageOptions> options, TransportClock clock)
{
    public const string DisksContainer = "vhds";
    private const int PageSize = 512;

    public BlobServiceClient Service => service;

    /// <summary>Every write acknowledged so far is durable when this returns ("flush, then commit"; see <see cref="BlobDurability"/>).</summary>
    public Task FlushAsync(CancellationToken ct) => durability.FlushAsync(ct);

    public async Task<(string Container, string Blob)> CreateDiskAsync(Guid vmId, string vmName, string diskName, int lun, int diskSizeGB, CancellationToken ct)
    {
        var container = service.GetBlobContainerClient(DisksContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        var blobName = $"{vmId:N}/{diskName}.vhd";
        var pageBlob = container.GetPageBlobClient(blobName);
        var size = options.Value.EmulatedDiskBytes / PageSize * PageSize;
        await pageBlob.CreateAsync(size, new PageBlobCreateOptions
        {
            Metadata = new Dictionary<string, string>
            {
                ["vmId"] = vmId.ToString(), ["vmName"] = Ascii(vmName), ["lun"] = lun.ToString(), ["diskSizeGB"] = diskSizeGB.ToString(),
            },
        }, ct);
        // Recognisable content in the first page, so a restored or copied disk can be checked by eye and by tests.
        var header = new byte[PageSize];
        Encoding.UTF8.GetBytes(DiskSignature(vmId, diskName, lun)).CopyTo(header, 0);
        using var stream = new MemoryStream(header);
        await pageBlob.UploadPagesAsync(stream, 0, cancellationToken: ct);
        return (DisksContainer, blobName);
    }

    public static string DiskSignature(Guid vmId, string diskName, int lun) =>
        $"BackupControlPlane emulated disk\nvmId: {vmId}\ndisk: {diskName}\nlun: {lun}\n";

    public Uri BlobUri(string container, string blob) => service.GetBlobContainerClient(container).GetBlobClient(blob).Uri;

    /// <summary>The container and name of an existing page blob of this storage, by its URI (a SAS in it is ignored); null when it is elsewhere or missing.</summary>
    public async Task<(string Container, string Blob)?> FindPageBlobAsync(string uri, CancellationToken ct)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        var (given, own) = (new BlobUriBuilder(parsed), new BlobUriBuilder(service.Uri));
        if (!given.Host.Equals(own.Host, StringComparison.OrdinalIgnoreCase) || given.Port != own.Port || given.AccountName != own.AccountName
            || string.IsNullOrEmpty(given.BlobContainerName) || string.IsNullOrEmpty(given.BlobName)) return null;
        try
        {
            var properties = await service.GetBlobContainerClient(given.BlobContainerName).GetBlobClient(given.BlobName).GetPropertiesAsync(cancellationToken: ct);
            return properties.Value.BlobType == BlobType.Page ? (given.BlobContainerName, given.BlobName) : null;
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    public async Task DeleteBlobIfExistsAsync(string container, string blob, CancellationToken ct) =>
        await service.GetBlobContainerClient(container).GetBlobClient(blob)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);

    /// <summary>A recovery point disk's data: its blob snapshot (the InstantRP tier) and, optionally, its vault copy.</summary>
    public async Task DeleteRecoveryPointDataAsync(Data.RecoveryPointDisk disk, bool includeVaultCopy, CancellationToken ct)
    {
        var source = new BlobUriBuilder(new Uri(disk.SourceBlobUri));
        await service.GetBlobContainerClient(source.BlobContainerName).GetBlobClient(source.BlobName).WithSnapshot(disk.Snapshot)
            .DeleteIfExistsAsync(cancellationToken: ct);
        if (includeVaultCopy && disk.VaultContainer is not null && disk.VaultBlobName is not null)
        {
            await DeleteBlobIfExistsAsync(disk.VaultContainer, disk.VaultBlobName, ct);
            await DeleteBlobIfExistsAsync(ArchiveContainer(disk.VaultContainer), disk.VaultBlobName, ct); // an archived point's copy
        }
    }

    /// <summary>
    /// Deletes the snapshots of one disk blob that the VMSnapshot extension tagged with <paramref name="taskId"/>
    /// (metadata <c>taskId</c>, dashes removed, as the agent writes it). Returns how many it deleted.
    /// </summary>
    public async Task<int> DeleteSnapshotsTaggedAsync(string container, string blob, string taskId, CancellationToken ct)
    {
        var tag = VmSnapshotExtension.SnapshotTag(taskId);
        var client = service.GetBlobContainerClient(container);
        var deleted = 0;
        await foreach (var item in client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.Snapshots, blob, ct))
        {
            if (item.Name != blob || item.Snapshot is null) continue;
            if (!item.Metadata.TryGetValue(VmSnapshotExtension.SnapshotTagKey, out var value) || value != tag) continue;
            await client.GetBlobClient(blob).WithSnapshot(item.Snapshot).DeleteIfExistsAsync(cancellationToken: ct);
            deleted++;
        }
        return deleted;
    }

    public async Task CreateContainerAsync(string name, CancellationToken ct) =>
        await service.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: ct);

    public async Task DeleteContainerIfExistsAsync(string name, CancellationToken ct) =>
        await service.GetBlobContainerClient(name).DeleteIfExistsAsync(cancellationToken: ct);

    /// <summary>A SAS for one blob, read and write only, valid from a minute ago (clock skew) to the configured lifetime.</summary>
    public Uri ReadWriteSas(string container, string blob)
    {
        var client = service.GetBlobContainerClient(container).GetBlobClient(blob);
        var now = clock.Time.GetUtcNow(); // the store checks SAS times against real time, whatever the emulated clock says
        var sas = new BlobSasBuilder(BlobSasPermissions.Read | BlobSasPermissions.Write, now + options.Value.SasLifetime)
        {
            BlobContainerName = container,
            BlobName = blob,
            Resource = "b",
            StartsOn = now - TimeSpan.FromMinutes(1),
            Protocol = client.Uri.Scheme == "https" ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        return client.GenerateSasUri(sas);
    }

    /// <summary>A read-only SAS for one blob, valid from a minute ago (clock skew) for <paramref name="lifetime"/> of real time.</summary>
    public Uri ReadOnlySas(string container, string blob, TimeSpan lifetime)
    {
        var client = service.GetBlobContainerClient(container).GetBlobClient(blob);
        var now = clock.Time.GetUtcNow(); // the store checks SAS times against real time, whatever the emulated clock says
        return client.GenerateSasUri(new BlobSasBuilder(BlobSasPermissions.Read, now + lifetime)
        {
            BlobContainerName = container, BlobName = blob, Resource = "b", StartsOn = now - TimeSpan.FromMinutes(1),
            Protocol = client.Uri.Scheme == "https" ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        });
    }

    public async Task<byte[]?> TryDownloadAsync(string container, string blob, CancellationToken ct)
    {
        try
        {
            var result = await service.GetBlobContainerClient(container).GetBlobClient(blob).DownloadContentAsync(ct);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public static string VaultContainer(string vaultKey) =>
        "vault-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(vaultKey)))[..24];

    /// <summary>The vault's archive tier: a container beside its vault container ("vault-{hash}" → "archive-{hash}"), same blob names.</summary>
    public static string ArchiveContainer(string vaultContainer) => "archive-" + vaultContainer[(vaultContainer.IndexOf('-') + 1)..];

    /// <summary>"Transfer data to vault": a server-side copy of one disk snapshot into the vault's container.</summary>
    public Task<long> CopySnapshotToVaultAsync(string diskContainer, string diskBlob, string snapshot, string vaultContainer, string vaultBlob, CancellationToken ct) =>
        CopyPageBlobAsync(diskContainer, diskBlob, snapshot, vaultContainer, vaultBlob, ct);

    /// <summary>
    /// A server-side copy of a page blob, or of one of its snapshots, through a short-lived read SAS on the source (as
    /// the service copies between accounts), waited for to the end. Overwrites the target, so repeating it is harmless;
    /// a copy left pending by a crash is aborted first. Returns the copied length. Two requests when the copy completes
    /// at once (Azurite's do): the container is only created when the copy finds it missing, and polled only when pending.
    /// </summary>
    public async Task<long> CopyPageBlobAsync(string sourceContainer, string sourceBlob, string? snapshot, string targetContainer, string targetBlob, CancellationToken ct)
    {
        var source = service.GetBlobContainerClient(sourceContainer).GetPageBlobClient(sourceBlob);
        if (snapshot is not null) source = source.WithSnapshot(snapshot);
        var container = service.GetBlobContainerClient(targetContainer);
        var sourceSas = source.GenerateSasUri(new BlobSasBuilder(BlobSasPermissions.Read, clock.Time.GetUtcNow() + TimeSpan.FromMinutes(15))
        {
            BlobContainerName = sourceContainer, BlobName = sourceBlob, Snapshot = snapshot, Resource = snapshot is null ? "b" : "bs",
        });
        var target = container.GetPageBlobClient(targetBlob);
        CopyFromUriOperation copy;
        try
        {
            copy = await target.StartCopyFromUriAsync(sourceSas, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: ct);
            copy = await target.StartCopyFromUriAsync(sourceSas, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.PendingCopyOperation)
        {
            var pending = await target.GetPropertiesAsync(cancellationToken: ct);
            await target.AbortCopyFromUriAsync(pending.Value.CopyId, cancellationToken: ct);
            copy = await target.StartCopyFromUriAsync(sourceSas, cancellationToken: ct);
        }
        var finished = copy.GetRawResponse().Headers.TryGetValue("x-ms-copy-status", out var started) && started == "success";
        if (!finished) await copy.WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), ct);
        var props = await target.GetPropertiesAsync(cancellationToken: ct);
        if (props.Value.CopyStatus != CopyStatus.Success)
            throw new InvalidOperationException($"Copy to {targetContainer}/{targetBlob} ended {props.Value.CopyStatus}: {props.Value.CopyStatusDescription}");
        return props.Value.ContentLength;
    }

    public async Task<bool> IsReachableAsync(CancellationToken ct)
    {
        try
        {
            await service.GetPropertiesAsync(ct);
            return true;
        }
        catch (Exception e) when (IsUnavailable(e) || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Storage refused the request or could not be reached: Azure.Core ends its retries against an unreachable endpoint
    /// in an AggregateException of these.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        RequestFailedException or HttpRequestException or BlobDurabilityException => true,
        AggregateException a => a.InnerExceptions.All(IsUnavailable),
        _ => false,
    };

    private static string Ascii(string value) => new(value.Select(c => c is >= ' ' and <= '~' ? c : '_').ToArray());
}
