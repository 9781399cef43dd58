using System.Data.Common;
using System.Runtime.CompilerServices;
using BackupControlPlane.Api.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// Counts jobs by operation and the status they enter (bcp.jobs) and records finished jobs' durations
/// (bcp.job.duration) from what <c>SaveChanges</c> writes, so no code path that changes a job can forget it. Counted
/// once the write is durable: at the save, or at the commit of the transaction around it (a rolled-back or retried
/// transaction counts nothing). Writes through <c>ExecuteUpdate</c> bypass it and call <see cref="BcpTelemetry.JobEntered"/>.
/// </summary>
public sealed class JobMetrics : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed record Change(string Operation, string Status, TimeSpan? Duration);

    private sealed class Pending
    {
        public List<Change> Saving = [];
        public List<Change> Uncommitted = [];
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context, saving: true);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        Discard(eventData.Context, saving: true);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Discard(eventData.Context, saving: false); // whatever an earlier use of this pooled context left uncommitted
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken ct = default)
    {
        Discard(eventData.Context, saving: false);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Emit(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Emit(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context, saving: false);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Discard(eventData.Context, saving: false);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Discard(eventData.Context, saving: false);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken ct = default)
    {
        Discard(eventData.Context, saving: false);
        return Task.CompletedTask;
    }

    /// <summary>A job inserted without SaveChanges (<see cref="SqliteRowInsert"/>): counted as a saved one, at its transaction's commit.</summary>
    internal static void Inserted(DbContext context, BackupJob job)
    {
        if (context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<JobMetrics>().FirstOrDefault() is not { } metrics) return;
        metrics._pending.GetOrCreateValue(context).Uncommitted.Add(Of(job));
        if (context.Database.CurrentTransaction is null) metrics.Emit(context);
    }

    private static Change Of(BackupJob job) =>
        new(job.Operation, job.Status, job.EndTime is { } end && job.Status != JobStatuses.InProgress ? end - job.StartTime : null);

    private void Collect(DbContext? context)
    {
        if (context is null) return;
        var changes = context.ChangeTracker.Entries<BackupJob>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(j => j.Status).IsModified))
            .Select(e => Of(e.Entity))
            .ToList();
        if (changes.Count == 0 && !_pending.TryGetValue(context, out _)) return;
        _pending.GetOrCreateValue(context).Saving = changes;
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending) || pending.Saving.Count == 0) return;
        pending.Uncommitted.AddRange(pending.Saving);
        pending.Saving = [];
        if (context.Database.CurrentTransaction is null) Emit(context); // no transaction around it: durable now
    }

    private void Emit(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending)) return;
        foreach (var c in pending.Uncommitted) BcpTelemetry.JobEntered(c.Operation, c.Status, c.Duration);
        pending.Uncommitted.Clear();
    }

    private void Discard(DbContext? context, bool saving)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending)) return;
        if (saving) pending.Saving = [];
        else pending.Uncommitted.Clear();
    }
}
