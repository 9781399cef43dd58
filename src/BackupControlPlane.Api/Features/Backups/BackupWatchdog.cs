namespace BackupControlPlane.Api.Features.Backups;

/// <summary>The Hangfire recurring job that keeps every backup moving to a terminal state.</summary>
public sealed class BackupWatchdog(BackupOrchestrator orchestrator, TransferResumer transfers)
{
    public const string RecurringJobId = "backup-watchdog";

    public async Task RunAsync(CancellationToken ct)
    {
        await orchestrator.FailTimedOutTasksAsync(ct);
        await transfers.ResumeStalledAsync(ct);
    }
}
