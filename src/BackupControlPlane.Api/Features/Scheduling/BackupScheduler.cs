using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// Hangfire owns the schedule: each policy has one scheduled Hangfire job for its next slot, and that job fans the
/// slot out to every item of the policy in bulk, then schedules the following slot. Slots are idempotent (a backup job
/// is unique per item and slot), so a Hangfire retry or a duplicate schedule never backs up a slot twice.
/// </summary>
public sealed class BackupScheduler(BackupDbContext db, IBackgroundJobClient jobs, TimeProvider time, SlotSignals signals, ILogger<BackupScheduler> logger)
{
    public async Task EnsureScheduledAsync(long policyId, CancellationToken ct)
    {
        var policy = await db.BackupPolicies.FirstAsync(p => p.Id == policyId, ct);
        if (policy.NextSlotUtc is not null && policy.NextSlotJobId is not null) return;
        await ScheduleNextAsync(policy, time.GetUtcNow(), ct);
    }

    /// <summary>Schedules the first slot after <paramref name="after"/> and after now: missed slots are not replayed.</summary>
    public async Task ScheduleNextAsync(BackupPolicy policy, DateTimeOffset after, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var slot = PolicySchedule.NextSlotAfter(policy, after > now ? after : now);
        var jobId = jobs.Schedule<ScheduledBackupJob>(j => j.RunSlotAsync(policy.Id, slot.UtcDateTime, CancellationToken.None), slot);
        policy.NextSlotUtc = slot;
        policy.NextSlotJobId = jobId;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Policy {PolicyId} next backup slot {Slot:o} (Hangfire job {JobId})", policy.Id, slot, jobId);
    }

    public sealed record DueSlot(long PolicyId, string PolicyName, DateTimeOffset SlotUtc, string HangfireJobId, Task Finished);

    /// <summary>
    /// Runs now every slot due by <paramref name="until"/>, through the same Hangfire job as when its time comes. Several
    /// due slots of one policy collapse into its latest one, as Azure runs one catch-up backup after missed slots.
    /// </summary>
    public async Task<IReadOnlyList<DueSlot>> RunDueAsync(DateTimeOffset until, string? resourceGroup, string? vaultName, CancellationToken ct)
    {
        var query = db.BackupPolicies.Include(p => p.Vault).Where(p => p.NextSlotUtc != null && p.NextSlotUtc <= until);
        if (!string.IsNullOrEmpty(vaultName)) query = query.Where(p => p.Vault!.Name.ToLower() == vaultName.ToLower());
        if (!string.IsNullOrEmpty(resourceGroup)) query = query.Where(p => p.Vault!.ResourceGroup.ToLower() == resourceGroup.ToLower());
        var due = await query.ToListAsync(ct);
        var started = new List<DueSlot>();
        foreach (var policy in due)
        {
            var slot = policy.NextSlotUtc!.Value;
            for (var next = PolicySchedule.NextSlotAfter(policy, slot); next <= until; next = PolicySchedule.NextSlotAfter(policy, slot)) slot = next;
            if (policy.NextSlotJobId is not null) jobs.Delete(policy.NextSlotJobId);
            // Written before the job exists, so the job (which may finish at once) reads the slot it must move on from.
            await db.BackupPolicies.Where(p => p.Id == policy.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotUtc, slot).SetProperty(p => p.NextSlotJobId, (string?)null), ct);
            var finished = signals.WaitAsync(policy.Id, slot);
            var jobId = jobs.Enqueue<ScheduledBackupJob>(j => j.RunSlotAsync(policy.Id, slot.UtcDateTime, CancellationToken.None));
            await db.BackupPolicies.Where(p => p.Id == policy.Id && p.NextSlotUtc == slot && p.NextSlotJobId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotJobId, jobId), ct);
            started.Add(new DueSlot(policy.Id, policy.Name, slot, jobId, finished));
        }
        return started;
    }
}

/// <summary>In-process signals that a slot's Hangfire job has finished, so run-due can answer with the jobs it started.</summary>
public sealed class SlotSignals
{
    private readonly ConcurrentDictionary<(long, DateTimeOffset), TaskCompletionSource> _waiters = new();

    public Task WaitAsync(long policyId, DateTimeOffset slot) =>
        _waiters.GetOrAdd((policyId, slot), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Completed(long policyId, DateTimeOffset slot)
    {
        if (_waiters.TryRemove((policyId, slot), out var tcs)) tcs.TrySetResult();
    }
}
