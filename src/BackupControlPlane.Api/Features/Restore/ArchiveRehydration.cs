using System.Text.Json;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>How an archived point is rehydrated before its restore: the request's priority and how many days the copy stays.</summary>
public sealed record RehydrationPlan(string Priority, int Days);

/// <summary>recoveryPointRehydrationInfo of an IaasVMRestoreWithRehydrationRequest.</summary>
public sealed record RecoveryPointRehydrationInfo(string? RehydrationRetentionDuration, string? RehydrationPriority);

/// <summary>
/// Restore from the archive tier, as Azure does it: an archived point restores only with an
/// IaasVMRestoreWithRehydrationRequest (priority Standard or High, duration 10 to 30 days); the Restore job first
/// rehydrates it, copying its data from the vault's archive container back to the Standard tier (the point shows
/// ArchivedRP Rehydrated with RehydratedRPExpiryTime), then restores from that copy. Until the expiry, the point restores
/// again with a plain IaasVMRestoreRequest; the archive tier's daily run deletes the copy after it.
/// </summary>
public sealed partial class ArchiveRehydration(BackupDbContext db, BlobStorage storage, TimeProvider time, ILogger<ArchiveRehydration> logger)
{
    public const string PriorityKey = "Rehydration Priority";
    public const string ExpiryKey = "Rehydrated RP Expiry Time";

    /// <summary>Azure's refusals, or the rehydration an archived point needs (null for any other point).</summary>
    public static RehydrationPlan? Check(IaasVmRestoreRequestProperties p, RecoveryPoint point)
    {
        var withRehydration = string.Equals(p.ObjectType, "IaasVMRestoreWithRehydrationRequest", StringComparison.OrdinalIgnoreCase);
        if (point.ArchivedRpStatus == ArchiveStatuses.Rehydrated)
            return withRehydration ? throw ArmException.BadRequest("Recovery Point is already rehydrated. Rehydration is not allowed on this RP. " +
                "Send an IaasVMRestoreRequest: it restores from the rehydrated copy.", "UserErrorRecoveryPointAlreadyRehydrated") : null;
        if (point.ArchivedRpStatus != ArchiveStatuses.Valid)
            return withRehydration ? throw ArmException.BadRequest("Rehydration is only supported for Archive Recovery Points", "UserErrorRecoveryPointRehydrationNotAllowed") : null;
        if (!withRehydration || p.RecoveryPointRehydrationInfo is not { } info)
            throw ArmException.BadRequest("Archive Recovery Point is not rehydrated. Retry Restore after rehydration completed on Archive RP. " +
                "Send an IaasVMRestoreWithRehydrationRequest with recoveryPointRehydrationInfo (rehydrationPriority Standard or High, " +
                "rehydrationRetentionDuration P10D to P30D) to rehydrate it as part of the restore.", "UserErrorRecoveryPointNotRehydrated");
        var priority = new[] { "Standard", "High" }.FirstOrDefault(x => x.Equals(info.RehydrationPriority, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.BadRequest($"recoveryPointRehydrationInfo.rehydrationPriority '{info.RehydrationPriority}' is invalid: use Standard or High.");
        var days = DaysDuration().Match(info.RehydrationRetentionDuration ?? "") is { Success: true } m && int.TryParse(m.Groups[1].Value, out var d) ? d : -1;
        if (days is < 10 or > 30)
            throw ArmException.BadRequest($"recoveryPointRehydrationInfo.rehydrationRetentionDuration '{info.RehydrationRetentionDuration}' is invalid: " +
                "a rehydrated point stays 10 to 30 days (ISO 8601, P10D to P30D).");
        return new RehydrationPlan(priority, days);
    }

    /// <summary>The rehydration step of a Restore job: true when the restore may go on.</summary>
    public async Task<bool> RunAsync(Guid jobId, RehydrationPlan plan, CancellationToken ct)
    {
        var job = await db.BackupJobs.FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job?.Status != JobStatuses.InProgress) return false;
        var point = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.Id == job.RecoveryPointId, ct);
        if (point is null || point.ArchivedRpStatus == ArchiveStatuses.Rehydrated) return true; // the restore says what is missing; or a re-run
        try
        {
            if (point.ArchivedRpStatus != ArchiveStatuses.Valid || point.Disks.Any(d => d.VaultContainer is null || d.VaultBlobName is null))
                throw new InvalidOperationException($"recovery point {point.Name} is no longer in the archive tier");
            foreach (var disk in point.Disks)
                await storage.CopyPageBlobAsync(BlobStorage.ArchiveContainer(disk.VaultContainer!), disk.VaultBlobName!, null, disk.VaultContainer!, disk.VaultBlobName!, ct);
            await storage.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Restore job {JobId}: rehydration failed", jobId);
            var now = (DateTimeOffset?)time.GetUtcNow();
            await db.BackupJobs.Where(j => j.Id == jobId && j.Status == JobStatuses.InProgress).ExecuteUpdateAsync(u => u
                .SetProperty(j => j.Status, JobStatuses.Failed).SetProperty(j => j.EndTime, now)
                .SetProperty(j => j.ErrorCode, "UserErrorRecoveryPointNotRehydrated").SetProperty(j => j.ErrorMessage, $"Rehydrating the archived recovery point failed: {e.Message}"), CancellationToken.None);
            return false;
        }
        var expiry = time.GetUtcNow().AddDays(plan.Days);
        point.ArchivedRpStatus = ArchiveStatuses.Rehydrated;
        point.RehydratedRpExpiryTime = expiry;
        var bag = JsonSerializer.Deserialize<Dictionary<string, string>>(job.PropertyBagJson ?? "{}")!;
        bag[PriorityKey] = plan.Priority;
        bag[ExpiryKey] = expiry.UtcDateTime.ToString("O");
        job.PropertyBagJson = JsonSerializer.Serialize(bag);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Restore job {JobId}: recovery point {Point} rehydrated ({Priority}) until {Expiry}", jobId, point.Name, plan.Priority, expiry);
        return true;
    }

    [GeneratedRegex(@"^P(\d{1,3})D$", RegexOptions.IgnoreCase)]
    private static partial Regex DaysDuration();
}
