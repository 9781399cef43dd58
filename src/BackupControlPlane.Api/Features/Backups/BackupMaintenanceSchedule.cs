using Hangfire;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// At start-up: the backups slice's recurring Hangfire jobs (idempotent upserts, so every node may run this) and one
/// check of recovery points against storage now, so a store that lost data while the service was down shows no point
/// without its data.
/// </summary>
public sealed class BackupMaintenanceSchedule(IRecurringJobManager recurring, IBackgroundJobClient jobs) : IHostedService
{
    public const string AuditJobId = "recovery-point-audit";

    public Task StartAsync(CancellationToken ct)
    {
        recurring.AddOrUpdate<BackupWatchdog>(BackupWatchdog.RecurringJobId, w => w.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<RetentionPruner>(RetentionPruner.RecurringJobId, p => p.RunAsync(CancellationToken.None), Cron.Daily());
        recurring.AddOrUpdate<RecoveryPointAudit>(AuditJobId, a => a.RunAsync(CancellationToken.None), Cron.Daily());
        jobs.Enqueue<RecoveryPointAudit>(a => a.RunAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
