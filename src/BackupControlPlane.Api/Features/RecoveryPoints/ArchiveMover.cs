using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>
/// Starts a move of one recovery point from the Vault-Standard tier to the archive tier: checks Azure's rules, records
/// an InProgress MoveRecoveryPoint job and its (finished) operation in one transaction, and enqueues the
/// <see cref="ArchiveMoveJob"/> that moves the data. Used by POST …/move and by smart tiering's daily run.
/// </summary>
public sealed class ArchiveMover(BackupDbContext db, IBackgroundJobClient jobs, TimeProvider time, ILogger<ArchiveMover> logger)
{
    public const string SourceTierKey = "Source Tier";
    public const string TargetTierKey = "Target Tier";
    public const string RecoveryPointKey = "Recovery Point Id";

    /// <summary>Refused (400 with Azure's code) unless the point is ready for move now.</summary>
    public async Task<AsyncOperation> StartAsync(ProtectedItem item, RecoveryPoint point, string trigger, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var readiness = (await ArchiveEligibility.EvaluateAsync(db, item, [point], now, ct))[point.Id];
        if (!readiness.IsReadyForMove) throw ArmException.BadRequest(readiness.AdditionalInfo!, readiness.Code!);
        var job = new BackupJob
        {
            Id = Guid.NewGuid(), VaultId = item.VaultId, ProtectedItemId = item.Id, EntityFriendlyName = item.VirtualMachine?.Name ?? item.ContainerName.Split(';')[^1],
            Operation = JobOperations.MoveRecoveryPoint, Status = JobStatuses.InProgress, StartTime = now, ActivityId = Guid.NewGuid(), RecoveryPointId = point.Id,
            PropertyBagJson = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                [RecoveryPointKey] = point.Name, [SourceTierKey] = "VaultStandard", [TargetTierKey] = "VaultArchive", ["Triggered By"] = trigger,
            }),
        };
        var op = AsyncOperation.Succeeded(item.VaultId, job.Id, now);
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            // One move of a point at a time; a second request while it runs is Azure's "already in progress".
            if (await db.BackupJobs.AnyAsync(j => j.RecoveryPointId == point.Id && j.Operation == JobOperations.MoveRecoveryPoint && j.Status == JobStatuses.InProgress, ct))
                throw ArmException.BadRequest($"Recovery point {point.Name} is already being moved to the archive tier; wait for its MoveRecoveryPoint job.",
                    "UserErrorRecoveryPointIsNotEligibleForArchiveMove");
            db.BackupJobs.Add(job);
            db.AsyncOperations.Add(op);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        try
        {
            jobs.Enqueue<ArchiveMoveJob>(j => j.RunAsync(job.Id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ArchiveMoveJob.FailAsync(db, time, job.Id, $"The move could not be queued: {e.Message}", CancellationToken.None);
            throw;
        }
        logger.LogInformation("Move of recovery point {Point} to the archive tier: job {JobId} ({Trigger})", point.Name, job.Id, trigger);
        return op;
    }
}
