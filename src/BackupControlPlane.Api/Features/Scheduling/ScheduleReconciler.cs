using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Backups;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// At start-up: registers the recurring jobs (idempotent upserts), checks recovery points against storage once, and makes sure every policy in use has its next
/// slot scheduled, which covers a crash between enabling protection and scheduling.
/// </summary>
public sealed class ScheduleReconciler(IServiceScopeFactory scopes, IRecurringJobManager recurring, IBackgroundJobClient jobs) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        recurring.AddOrUpdate<BackupWatchdog>(BackupWatchdog.RecurringJobId, w => w.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<RetentionPruner>(RetentionPruner.RecurringJobId, p => p.RunAsync(CancellationToken.None), Cron.Daily());
        recurring.AddOrUpdate<RecoveryPointAudit>(AuditJobId, a => a.RunAsync(CancellationToken.None), Cron.Daily());
        // Once now, too: a store that lost data while the service was down shows no point without its data.
        jobs.Enqueue<RecoveryPointAudit>(a => a.RunAsync(CancellationToken.None));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BackupDbContext>();
        var scheduler = scope.ServiceProvider.GetRequiredService<BackupScheduler>();
        var inUse = await db.BackupPolicies.Where(p => p.NextSlotJobId == null && db.ProtectedItems.Any(i => i.PolicyId == p.Id))
            .Select(p => p.Id).ToListAsync(ct);
        foreach (var id in inUse) await scheduler.EnsureScheduledAsync(id, ct);
    }

    public const string AuditJobId = "recovery-point-audit";

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
