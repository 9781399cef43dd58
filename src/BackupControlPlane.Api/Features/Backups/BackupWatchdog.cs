namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The Hangfire recurring job (every minute) that keeps every snapshot task moving to a terminal state. Transfers to the
/// vault are Hangfire jobs of their own, retried by Hangfire (<see cref="VaultTransferJob"/>); the watchdog only queues
/// again one that is past its deadline (<see cref="StalledTransfers"/>).
/// </summary>
public sealed class BackupWatchdog(TaskTimeouts timeouts, StalledTransfers transfers)
{
    public const string RecurringJobId = "backup-watchdog";

    public sealed record Result(int TasksTimedOut, int TasksOfferedAgain, int TransfersQueuedAgain);

    [Hangfire.JobDisplayName("Watchdog: agent task timeouts, unacknowledged leases, stalled vault transfers")]
    public async Task<Result> RunAsync(CancellationToken ct) => new(
        await timeouts.FailTimedOutTasksAsync(ct),
        await timeouts.ReofferExpiredLeasesAsync(ct),
        await transfers.ResumeAsync(ct));
}
