using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Jobs;

/// <summary>
/// What an item's backups say about it, worked out when the item is read, as Azure shows it: a failed last backup turns
/// <c>protectionStatus</c> Unhealthy and <c>healthStatus</c> ActionRequired, with the failing error in
/// <c>healthDetails</c>; the next good backup clears them. The item's stored <c>LastBackupStatus</c> (written when a
/// backup settles) says whether the last backup failed; the latest settled Backup job says with what and when.
/// </summary>
public static class ItemHealth
{
    /// <summary>Azure's <c>lastBackupTime</c> of an item never backed up.</summary>
    public static readonly DateTimeOffset NeverBackedUp = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string Failed = "Failed";

    /// <summary>The latest Backup job of an item that finished, and how.</summary>
    public sealed record SettledBackup(long ItemId, DateTimeOffset StartTime, DateTimeOffset EndTime, string? ErrorCode, string? ErrorMessage);

    public sealed record View(string ProtectionStatus, string HealthStatus, IReadOnlyList<HealthDetail>? HealthDetails, DateTimeOffset LastBackupTime);

    public static View Of(ProtectedItem item, SettledBackup? latest)
    {
        // The last backup operation, failed or not, as Azure's lastBackupTime; the stored time is the last successful one.
        var lastBackup = latest?.StartTime > item.LastBackupTime || item.LastBackupTime is null ? latest?.StartTime : item.LastBackupTime;
        if (item.LastBackupStatus != Failed) return new View("Healthy", "Passed", null, lastBackup ?? NeverBackedUp);
        IReadOnlyList<HealthDetail>? details = null;
        if (latest?.ErrorCode is { } code)
        {
            var info = BackupErrors.Find(code);
            details = [new HealthDetail(info.Number, info.Code, latest.ErrorMessage ?? info.Message, [info.Recommendation])];
        }
        return new View("Unhealthy", "ActionRequired", details, lastBackup ?? NeverBackedUp);
    }

    /// <summary>
    /// The latest settled Backup job of each item, in one query. A slot skipped because another backup of the item was
    /// running ("UserErrorBackupOperationInProgress") says nothing about the item and is left out; Cancelled jobs too,
    /// as a cancel leaves the item's last backup status as it was.
    /// </summary>
    public static async Task<Dictionary<long, SettledBackup>> LatestSettledAsync(BackupDbContext db, IReadOnlyCollection<long> itemIds, CancellationToken ct)
    {
        if (itemIds.Count == 0) return [];
        var settled = SettledBackups(db);
        var rows = await settled
            .Where(j => itemIds.Contains(j.ProtectedItemId!.Value)
                && j.EndTime == settled.Where(o => o.ProtectedItemId == j.ProtectedItemId).Max(o => o.EndTime))
            .Select(j => new SettledBackup(j.ProtectedItemId!.Value, j.StartTime, j.EndTime!.Value, j.ErrorCode, j.ErrorMessage))
            .ToListAsync(ct);
        // Two jobs ending at the same instant (a fake clock held still): the one started last is the last backup.
        return rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.StartTime)!);
    }

    /// <summary>The Backup jobs that count for an item's health; the latest of an item is kept when history is pruned.</summary>
    public static IQueryable<BackupJob> SettledBackups(BackupDbContext db)
    {
        var skipped = BackupErrors.BackupOperationInProgress.Code;
        return db.BackupJobs.AsNoTracking().Where(j => j.ProtectedItemId != null && j.Operation == JobOperations.Backup && j.EndTime != null
            && (j.Status == JobStatuses.Completed || j.Status == JobStatuses.CompletedWithWarnings || j.Status == JobStatuses.Failed)
            && (j.ErrorCode == null || j.ErrorCode != skipped));
    }
}

/// <summary>Azure's AzureIaaSVMHealthDetails: the error code number, its name as title, the message and what to do.</summary>
public sealed record HealthDetail(int Code, string Title, string Message, IReadOnlyList<string> Recommendations);
