namespace BackupControlPlane.Api.Features.Backups;

/// <summary>The Hangfire recurring job that keeps every backup moving to a terminal state.</summary>
public sealed class BackupWatchdog(BackupOrchestrator orchestrator)
{
    public const string RecurringJobId = "backup-watchdog";

    public async Task RunAsync(CancellationToken ct)
    {
        await orchestrator.FailTimedOutTasksAsync(ct);
        await orchestrator.ReofferExpiredLeasesAsync(ct);
        await orchestrator.ResumeStalledTransfersAsync(ct);
    }
}
