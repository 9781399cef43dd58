namespace BackupControlPlane.Api.Features.Backups;

/// <summary>
/// The Hangfire recurring job (every minute) that keeps every snapshot task moving to a terminal state. Transfers to the
/// vault need no watchdog: each is a Hangfire job of its own, retried by Hangfire (<see cref="VaultTransferJob"/>).
/// </summary>
public sealed class BackupWatchdog(TaskTimeouts timeouts)
{
    public const string RecurringJobId = "backup-watchdog";

    public sealed record Result(int TasksTimedOut, int TasksOfferedAgain);

    public async Task<Result> RunAsync(CancellationToken ct) => new(
        await timeouts.FailTimedOutTasksAsync(ct),
        await timeouts.ReofferExpiredLeasesAsync(ct));
}
