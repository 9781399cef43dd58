namespace BackupControlPlane.Api.Features.Restore;

/// <summary>
/// The Hangfire fire-and-forget job of one restore. Its arguments (job id and plan) are stored with it, so a run that a
/// crash or a shutdown interrupted runs again with the same targets; the service makes that repeat harmless.
/// </summary>
public sealed class RestoreJob(RestoreService restore, ArchiveRehydration rehydration)
{
    [RestoreJobName]
    public async Task RunAsync(Guid jobId, RestorePlan plan, CancellationToken ct)
    {
        // An archived point is rehydrated first (a failed rehydration ends the job).
        if (plan.Rehydrate is { } r && !await rehydration.RunAsync(jobId, r, ct)) return;
        await restore.RunAsync(jobId, plan, ct);
    }
}
