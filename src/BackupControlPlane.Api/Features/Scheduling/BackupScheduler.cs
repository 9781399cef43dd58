using System.Collections.Concurrent;
using BackupControlPlane.Api.Data;
using System.Globalization;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// Hangfire owns the schedule: each policy has one scheduled Hangfire job for its next slot, and that job fans the
/// slot out to every item of the policy in bulk, then schedules the following slot. Slots are idempotent (a backup job
/// is unique per item and slot), so a Hangfire retry or a duplicate schedule never backs up a slot twice.
/// </summary>
public sealed class BackupScheduler(BackupDbContext db, IBackgroundJobClient jobs, JobStorage storage, TimeProvider time, SlotSignals signals,
    Microsoft.Extensions.Options.IOptions<EmulatorOptions> options, ILogger<BackupScheduler> logger)
{
    public async Task EnsureScheduledAsync(long policyId, CancellationToken ct)
    {
        // Read fresh, not from this context's cache: another node may have scheduled the policy since.
        var policy = await db.BackupPolicies.AsNoTracking().FirstAsync(p => p.Id == policyId, ct);
        if (policy.NextSlotUtc is not null && policy.NextSlotJobId is not null) return;
        await ScheduleNextAsync(policy, time.GetUtcNow(), ct);
    }

    /// <summary>
    /// Schedules the first slot after <paramref name="after"/> and after now: missed slots are not replayed. The chain
    /// moves only from the state <paramref name="policy"/> was read in (compare-and-set): when another node moved it
    /// first, its job stands and this one is withdrawn, so nodes never fork a policy's chain.
    /// </summary>
    public async Task ScheduleNextAsync(BackupPolicy policy, DateTimeOffset after, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var slot = PolicySchedule.NextSlotAfter(policy, after > now ? after : now);
        var (readSlot, readJob) = (policy.NextSlotUtc, policy.NextSlotJobId);
        var jobId = jobs.Schedule<ScheduledBackupJob>(j => j.RunSlotAsync(policy.Id, slot.UtcDateTime, CancellationToken.None), slot);
        var moved = await db.BackupPolicies.Where(p => p.Id == policy.Id && p.NextSlotUtc == readSlot && p.NextSlotJobId == readJob)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotUtc, slot).SetProperty(p => p.NextSlotJobId, jobId), ct);
        if (moved == 0)
        {
            jobs.Delete(jobId);
            logger.LogInformation("Policy {PolicyId} was rescheduled by another node meanwhile; Hangfire job {JobId} withdrawn", policy.Id, jobId);
            return;
        }
        var entry = db.Entry(policy);
        if (entry.State != EntityState.Detached)
        {
            // Already written; keep a later SaveChanges of this context from writing the values again.
            entry.Property(p => p.NextSlotUtc).CurrentValue = entry.Property(p => p.NextSlotUtc).OriginalValue = slot;
            entry.Property(p => p.NextSlotJobId).CurrentValue = entry.Property(p => p.NextSlotJobId).OriginalValue = jobId;
        }
        else
        {
            policy.NextSlotUtc = slot;
            policy.NextSlotJobId = jobId;
        }
        logger.LogInformation("Policy {PolicyId} next backup slot {Slot:o} (Hangfire job {JobId})", policy.Id, slot, jobId);
    }

    private const string RunDueLock = "bcp:run-due";

    /// <summary>
    /// Holds run-due off while the caller changes everything under it (an emulator reset): no slot is enqueued from a
    /// row about to go. Dispose to let run-due go on.
    /// </summary>
    public IDisposable HoldRunDue()
    {
        var connection = storage.GetConnection();
        try
        {
            return new Held(connection.AcquireDistributedLock(RunDueLock, TimeSpan.FromMinutes(1)), connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private sealed class Held(IDisposable @lock, IDisposable connection) : IDisposable
    {
        public void Dispose()
        {
            @lock.Dispose();
            connection.Dispose();
        }
    }

    public sealed record DueSlot(long PolicyId, string PolicyName, DateTimeOffset SlotUtc, string HangfireJobId, Task Finished);

    /// <summary>
    /// Runs now every slot due by <paramref name="until"/>, through the same Hangfire job as when its time comes. Several
    /// due slots of one policy collapse into its latest one, as Azure runs one catch-up backup after missed slots.
    /// </summary>
    public async Task<IReadOnlyList<DueSlot>> RunDueAsync(DateTimeOffset until, string? resourceGroup, string? vaultName, CancellationToken ct)
    {
        // One run-due at a time across nodes (a Hangfire distributed lock, so it holds on SQLite and PostgreSQL alike):
        // a second caller then finds the slots already enqueued and waits for those jobs instead of starting its own.
        using var connection = storage.GetConnection();
        using var _ = connection.AcquireDistributedLock(RunDueLock, TimeSpan.FromMinutes(1));
        var query = db.BackupPolicies.AsNoTracking().Include(p => p.Vault).Where(p => p.NextSlotUtc != null && p.NextSlotUtc <= until);
        if (!string.IsNullOrEmpty(vaultName)) query = query.Where(p => p.Vault!.Name.ToLower() == vaultName.ToLower());
        if (!string.IsNullOrEmpty(resourceGroup)) query = query.Where(p => p.Vault!.ResourceGroup.ToLower() == resourceGroup.ToLower());
        var due = await query.ToListAsync(ct);
        var started = new List<DueSlot>();
        foreach (var policy in due)
        {
            var slot = policy.NextSlotUtc!.Value;
            for (var next = PolicySchedule.NextSlotAfter(policy, slot); next <= until; next = PolicySchedule.NextSlotAfter(policy, slot)) slot = next;
            // Registered before the job can finish (no lost wake-up); dropped after the longest run-due waits, if never signalled.
            var finished = signals.WaitAsync(policy.Id, slot, options.Value.RunDueWait + TimeSpan.FromMinutes(1));
            if (slot == policy.NextSlotUtc && policy.NextSlotJobId is { } current && connection.GetJobData(current)?.State is { } state
                && (state == EnqueuedState.StateName || state == ProcessingState.StateName || state == SucceededState.StateName))
            {
                // Already run by another caller (maybe on another node): wait for that job rather than run the slot twice.
                // The signal may have come before the wait was registered; a job that has succeeded is finished.
                if (connection.GetJobData(current)?.State == SucceededState.StateName) finished = Task.CompletedTask;
                started.Add(new DueSlot(policy.Id, policy.Name, slot, current, finished));
                continue;
            }
            if (policy.NextSlotJobId is not null) jobs.Delete(policy.NextSlotJobId);
            // Written before the job exists, so the job (which may finish at once) reads the slot it must move on from.
            await db.BackupPolicies.Where(p => p.Id == policy.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotUtc, slot).SetProperty(p => p.NextSlotJobId, (string?)null), ct);
            var jobId = jobs.Enqueue<ScheduledBackupJob>(j => j.RunSlotAsync(policy.Id, slot.UtcDateTime, CancellationToken.None));
            await db.BackupPolicies.Where(p => p.Id == policy.Id && p.NextSlotUtc == slot && p.NextSlotJobId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.NextSlotJobId, jobId), ct);
            started.Add(new DueSlot(policy.Id, policy.Name, slot, jobId, finished));
        }
        return started;
    }
}

/// <summary>
/// Signals that a slot's Hangfire job has finished, so run-due can answer with the jobs it started. The job may run on
/// another node than the run-due call: with several nodes the signal travels through <see cref="IClusterSignals"/>.
/// A waiter ends when its slot finishes, or when nobody can still be waiting for it: a slot whose job failed, was
/// deleted or finished before the wait (run-due then answers from the job's state) would otherwise stay forever.
/// </summary>
public sealed class SlotSignals
{
    private const string Topic = "slot";
    private readonly ConcurrentDictionary<(long, DateTimeOffset), Waiter> _waiters = new();
    private readonly IClusterSignals? _cluster;

    public SlotSignals(IClusterSignals? cluster = null)
    {
        _cluster = cluster;
        cluster?.Subscribe(Topic, payload =>
        {
            if (payload == All) ReleaseAllLocal();
            else if (payload?.Split(':') is [var policy, var ticks]
                && long.TryParse(policy, NumberStyles.None, CultureInfo.InvariantCulture, out var policyId)
                && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var utcTicks))
                CompletedLocal(policyId, new DateTimeOffset(utcTicks, TimeSpan.Zero));
        });
    }

    /// <summary>
    /// The clock waiters expire on. Real time by default, like the caller's wait it outlives (run-due waits
    /// Emulator:RunDueWait in real time); not the emulated clock, which tests move by days while nothing waits.
    /// </summary>
    public TimeProvider ExpiryClock { get; init; } = TimeProvider.System;

    /// <summary>Slots someone is waiting for now.</summary>
    public int Waiting => _waiters.Count;

    /// <summary>Completes when the slot's job finishes; forgotten after <paramref name="lifetime"/> if it never does (the task then never completes).</summary>
    public Task WaitAsync(long policyId, DateTimeOffset slot, TimeSpan lifetime)
    {
        var key = (policyId, slot);
        while (true)
        {
            var candidate = new Waiter();
            var waiter = _waiters.GetOrAdd(key, candidate);
            if (ReferenceEquals(waiter, candidate))
            {
                candidate.Expiry = new CancellationTokenSource(lifetime, ExpiryClock);
                candidate.Expiry.Token.Register(() => _waiters.TryRemove(KeyValuePair.Create(key, candidate)));
                return candidate.Done.Task;
            }
            // Joining a waiter: it lives as long as its latest caller may wait. One expiring right now is replaced.
            if (waiter.TryExtend(lifetime)) return waiter.Done.Task;
            _waiters.TryRemove(KeyValuePair.Create(key, waiter));
        }
    }

    /// <summary>
    /// Ends every wait, on every node: the slot jobs they wait for are gone (an emulator reset deleted them), so run-due
    /// answers from the jobs' state now rather than at the end of its wait.
    /// </summary>
    public void ReleaseAll()
    {
        ReleaseAllLocal();
        _cluster?.Publish(Topic, All);
    }

    private const string All = "*";

    private void ReleaseAllLocal()
    {
        foreach (var (policyId, slot) in _waiters.Keys) CompletedLocal(policyId, slot);
    }

    public void Completed(long policyId, DateTimeOffset slot)
    {
        CompletedLocal(policyId, slot);
        _cluster?.Publish(Topic, $"{policyId}:{slot.UtcTicks}");
    }

    private void CompletedLocal(long policyId, DateTimeOffset slot)
    {
        if (!_waiters.TryRemove((policyId, slot), out var waiter)) return;
        waiter.Done.TrySetResult();
        waiter.Expiry?.Dispose();
    }

    private sealed class Waiter
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenSource? Expiry;

        public bool TryExtend(TimeSpan lifetime)
        {
            try
            {
                if (Expiry is not { IsCancellationRequested: false } expiry) return Expiry is null; // not armed yet: its creator arms it
                expiry.CancelAfter(lifetime);
                return !expiry.IsCancellationRequested;
            }
            catch (ObjectDisposedException)
            {
                return Done.Task.IsCompleted; // its slot finished meanwhile: the caller may take the finished task
            }
        }
    }
}
