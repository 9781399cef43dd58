using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.FileRecovery;

/// <summary>
/// File-level recovery sessions (provisionInstantItemRecovery / revokeInstantItemRecovery). A session is a blob
/// container of its own holding read-only copies of the point's disks, and scripts that download them through SAS URIs
/// valid for the session's lifetime (<c>Emulator:FileRecoverySessionLifetime</c>, 12 hours as in Azure). Revoking or
/// expiring the session deletes the container, so every link it handed out stops working at once.
/// </summary>
public sealed class FileRecoveryService(BackupDbContext db, BlobStorage storage, IBackgroundJobClient jobs, TimeProvider time,
    IOptions<EmulatorOptions> options, ILogger<FileRecoveryService> logger)
{
    private const string PasswordChars = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// Opens (or renews) the point's session and returns the finished operation carrying its client scripts. The disks
    /// are copied before anything is recorded: a failed copy leaves no session and no container behind.
    /// </summary>
    public async Task<AsyncOperation> ProvisionAsync(Vault vault, ProtectedItem item, RecoveryPoint point, IlrRegistrationRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var lifetime = options.Value.FileRecoverySessionLifetime;
        var renew = request.RenewExistingRegistration == true && point.IlrSessionActive(now) && point.IlrSessionContainer is not null;
        var container = renew ? point.IlrSessionContainer! : $"ilr-{Guid.NewGuid():N}";
        var password = RandomNumberGenerator.GetString(PasswordChars, 15); // a new one each time: the emulator keeps only the session's end
        var vm = item.VirtualMachine!;
        IReadOnlyList<ClientScript> scripts;
        int diskCount;
        try
        {
            var disks = renew ? await ListSessionDisksAsync(container, lifetime, ct) : await CopyDisksAsync(point, container, lifetime, ct);
            diskCount = disks.Count;
            var input = new SessionScriptInput(vm.Name, vm.OsType, point.Name, point.RecoveryPointTime, password, now + lifetime, request.InitiatorName, disks);
            // Windows: the script is a download (url), as Azure's executable is; a blob of the session, read through a SAS like the disks.
            var windowsScript = FileRecoveryScripts.IsWindows(input) ? await PublishAsync(container, FileRecoveryScripts.PowerShell(input), lifetime, ct) : null;
            scripts = FileRecoveryScripts.For(input, windowsScript);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (!renew) await storage.DeleteContainerIfExistsAsync(container, CancellationToken.None);
            throw new ArmException(400, "UserErrorUnableToOpenMount", $"The recovery point's disks could not be prepared for file recovery: {e.Message}");
        }
        var op = AsyncOperation.Succeeded(vault.Id, null, now);
        op.PropertiesJson = JsonSerializer.Serialize(new
        {
            objectType = "OperationStatusProvisionILRExtendedInfo",
            recoveryTarget = new { clientScripts = scripts },
        }, JsonSerializerOptions.Web);

        var previous = point.IlrSessionContainer;
        point.IlrSessionContainer = container;
        point.IlrSessionExpiry = now + lifetime;
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        if (previous is not null && previous != container) await storage.DeleteContainerIfExistsAsync(previous, CancellationToken.None);
        jobs.Schedule<FileRecoveryService>(s => s.ExpireAsync(point.Id, container, CancellationToken.None), lifetime);
        logger.LogInformation("File recovery session for point {Point} of {Vm}: {Count} disks in {Container} until {Expiry}", point.Name, vm.Name, diskCount, container, point.IlrSessionExpiry);
        return op;
    }

    /// <summary>Ends the point's session at once: its container (and so every link) is deleted. Nothing to do without one.</summary>
    public async Task<AsyncOperation> RevokeAsync(Vault vault, RecoveryPoint point, CancellationToken ct)
    {
        var container = point.IlrSessionContainer;
        if (container is not null) await storage.DeleteContainerIfExistsAsync(container, ct);
        point.IlrSessionContainer = null;
        point.IlrSessionExpiry = null;
        var op = AsyncOperation.Succeeded(vault.Id, null, time.GetUtcNow());
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        return op;
    }

    /// <summary>The Hangfire job at a session's end: deletes its container unless the session was renewed (then it waits for the new end).</summary>
    public async Task ExpireAsync(long pointId, string container, CancellationToken ct)
    {
        var point = await db.RecoveryPoints.FirstOrDefaultAsync(r => r.Id == pointId, ct);
        var now = time.GetUtcNow();
        if (point?.IlrSessionContainer == container && point.IlrSessionActive(now))
        {
            jobs.Schedule<FileRecoveryService>(s => s.ExpireAsync(pointId, container, CancellationToken.None), point.IlrSessionExpiry!.Value - now);
            return;
        }
        await storage.DeleteContainerIfExistsAsync(container, ct);
        if (point?.IlrSessionContainer == container)
        {
            point.IlrSessionContainer = null;
            point.IlrSessionExpiry = null;
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Copies each disk of the point (from its snapshot while valid, else its vault copy) into the session's container.</summary>
    private async Task<List<SessionDisk>> CopyDisksAsync(RecoveryPoint point, string container, TimeSpan lifetime, CancellationToken ct)
    {
        var disks = new List<SessionDisk>();
        var fromSnapshot = point.InstantRpValid && !(point.InstantRpExpiryTime <= time.GetUtcNow());
        foreach (var disk in point.Disks.OrderBy(d => d.Lun))
        {
            var source = new BlobUriBuilder(new Uri(disk.SourceBlobUri));
            var file = $"{DiskPrefix}{(disk.Lun < 0 ? "os" : $"lun{disk.Lun}")}-{source.BlobName.Split('/')[^1]}";
            if (fromSnapshot)
                await storage.CopyPageBlobAsync(source.BlobContainerName, source.BlobName, disk.Snapshot, container, file, ct);
            else if (disk.VaultContainer is not null && disk.VaultBlobName is not null)
                await storage.CopyPageBlobAsync(disk.VaultContainer, disk.VaultBlobName, null, container, file, ct);
            else
                throw new InvalidOperationException($"recovery point {point.Name} has neither the snapshot nor the vault copy of LUN {disk.Lun}");
            disks.Add(new SessionDisk(disk.Lun, file[DiskPrefix.Length..], storage.ReadOnlySas(container, file, lifetime)));
        }
        return disks;
    }

    private const string DiskPrefix = "disks/";

    /// <summary>The disks already in a session's container, with links valid for the renewed lifetime.</summary>
    private async Task<List<SessionDisk>> ListSessionDisksAsync(string container, TimeSpan lifetime, CancellationToken ct)
    {
        var disks = new List<SessionDisk>();
        await foreach (var blob in storage.Service.GetBlobContainerClient(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, DiskPrefix, ct))
        {
            var file = blob.Name[DiskPrefix.Length..];
            var lun = file.StartsWith("os-", StringComparison.Ordinal) ? -1 : int.Parse(file[3..file.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture);
            disks.Add(new SessionDisk(lun, file, storage.ReadOnlySas(container, blob.Name, lifetime)));
        }
        return disks.OrderBy(d => d.Lun).ToList();
    }

    private async Task<Uri> PublishAsync(string container, string script, TimeSpan lifetime, CancellationToken ct)
    {
        const string name = "session/ILRScript.ps1";
        await storage.Service.GetBlobContainerClient(container).GetBlobClient(name).UploadAsync(new BinaryData(script),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" } }, ct);
        return storage.ReadOnlySas(container, name, lifetime);
    }
}
