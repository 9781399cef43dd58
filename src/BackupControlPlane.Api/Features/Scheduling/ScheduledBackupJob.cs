using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// The Hangfire job of one policy slot. It issues work and returns: it never waits for an agent. Safe to run twice.
/// </summary>
public sealed class ScheduledBackupJob(BackupDbContext db, ISlotBackups starter, BackupScheduler scheduler, SlotSignals signals)
{
    [SlotJobName]
    public async Task RunSlotAsync(long policyId, DateTime slotUtc, CancellationToken ct)
    {
        var slot = new DateTimeOffset(DateTime.SpecifyKind(slotUtc, DateTimeKind.Utc));
        var policy = await db.BackupPolicies.FirstOrDefaultAsync(p => p.Id == policyId, ct);
        if (policy is null) return; // the policy was deleted after this slot was scheduled
        try
        {
            await starter.StartScheduledBackupsAsync(policy, slot, ct);
        }
        catch (DbUpdateException)
        {
            // Another node ran this slot at the same moment and won the unique (item, slot) index; its transaction
            // holds the backups. Looking again finds them done and starts nothing twice.
            db.ChangeTracker.Clear();
            policy = await db.BackupPolicies.FirstOrDefaultAsync(p => p.Id == policyId, ct);
            if (policy is null) return;
            await starter.StartScheduledBackupsAsync(policy, slot, ct);
        }
        // Only the job of the current slot moves the chain on, so a stale duplicate cannot fork it.
        if (policy.NextSlotUtc is null || policy.NextSlotUtc <= slot) await scheduler.ScheduleNextAsync(policy, slot, ct);
        signals.Completed(policyId, slot);
    }
}
