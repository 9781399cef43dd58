namespace BackupControlPlane.Api.Features.Backups;

/// <summary>The Hangfire recurring job that keeps every backup moving to a terminal state.</summary>
public sealed class BackupWatchdog(BackupOrchestrator orchestrator)
{
    public const string RecurringJobId = "backup-watchdog";

    public sealed record Result(int TasksTimedOut, int TasksOfferedAgain, int TransfersResumed);

    public async Task<Result> RunAsync(CancellationToken ct) => new(
        await orchestrator.FailTimedOutTasksAsync(ct),
        await orchestrator.ReofferExpiredLeasesAsync(ct),
        await orchestrator.ResumeStalledTransfersAsync(ct));
}
