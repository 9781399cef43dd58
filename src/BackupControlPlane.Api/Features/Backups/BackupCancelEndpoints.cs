using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>POST backupJobs/{job}/cancel: a backup's cancel belongs to its lifecycle (<see cref="BackupCanceller"/>); the Jobs slice answers its operation result.</summary>
public static class BackupCancelEndpoints
{
    public static void MapBackupCancel(this IEndpointRouteBuilder app) =>
        app.MapArm().MapPost(ArmRoutes.Vault + "/backupJobs/{jobName}/cancel", Cancel).LongRunning(asyncOperationHeader: false).WithTags("Backup jobs and operations")
            .WithSummary("Cancel a backup during its snapshot phase (202; the result answers 204).");

    private static async Task<IResult> Cancel(string subscriptionId, string resourceGroupName, string vaultName, string jobName,
        BackupDbContext db, BackupCanceller canceller, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var job = Guid.TryParse(jobName, out var id) ? await db.BackupJobs.FirstOrDefaultAsync(j => j.Id == id && j.VaultId == vault.Id, ct) : null;
        if (job is null) throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/backupJobs/{jobName}");
        if (!await canceller.CancelAsync(job, ct))
            throw ArmException.BadRequest(
                $"The job is {job.Status.ToLowerInvariant()}{(job.Status == JobStatuses.InProgress ? " and past its snapshot phase" : "")}: a backup can be cancelled only while its snapshot is being taken.",
                "BMSUserErrorJobNotCancellable");
        var now = time.GetUtcNow();
        var op = AsyncOperation.Succeeded(vault.Id, job.Id, now);
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        return ArmAccepted.Accepted(http, $"{ArmLookups.VaultId(vault)}/backupJobs/{job.Id}/operationResults/{op.Id}", null);
    }
}
