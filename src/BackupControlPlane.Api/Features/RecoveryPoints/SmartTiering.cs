using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Policies;
using BackupControlPlane.Api.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>
/// The archive tier's daily run (a Hangfire recurring job): rehydrated points whose rehydration duration is over go
/// back to archive only (their Standard-tier copy deleted), then each policy's tieringPolicy acts: TierRecommended
/// starts a move for every point ready for move, TierAfter for those of them in the Standard tier longer than its
/// duration, as MoveRecoveryPoint jobs like a user's.
/// </summary>
public sealed class SmartTiering(BackupDbContext db, ArchiveMover mover, BlobStorage storage, TimeProvider time, ILogger<SmartTiering> logger)
{
    public const string RecurringJobId = "smart-tiering";

    public sealed record Result(int MovesStarted, int RehydrationsExpired);

    [JobDisplayName("Archive tier: rehydrations expired, smart tiering moves")]
    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expired = await ExpireRehydrationsAsync(now, ct);
        var moves = 0;
        var policies = await db.BackupPolicies.AsNoTracking().Where(p => p.TieringPolicyJson != null).ToListAsync(ct);
        foreach (var policy in policies)
        {
            if (TieringPolicyRules.Archive(policy) is not { } tiering || tiering.TieringMode == TieringPolicyRules.DoNotTier) continue;
            var items = await db.ProtectedItems.AsNoTracking().Include(i => i.VirtualMachine).Where(i => i.PolicyId == policy.Id).ToListAsync(ct);
            foreach (var item in items)
            {
                var points = await db.RecoveryPoints.AsNoTracking().Where(r => r.ProtectedItemId == item.Id && r.HardenedRpValid && r.ArchivedRpStatus == null).ToListAsync(ct);
                var readiness = await ArchiveEligibility.EvaluateAsync(db, item, points, now, ct);
                foreach (var point in points.Where(p => readiness[p.Id].IsReadyForMove))
                {
                    if (tiering.TieringMode == TieringPolicyRules.TierAfter
                        && TieringPolicyRules.Add(point.RecoveryPointTime, tiering.Duration!.Value, tiering.DurationType!) > now) continue;
                    try
                    {
                        await mover.StartAsync(item, point, $"Policy {policy.Name} ({tiering.TieringMode})", ct);
                        moves++;
                    }
                    catch (ArmException e)
                    {
                        logger.LogInformation("Smart tiering: point {Point} not moved: {Message}", point.Name, e.Message); // a move already running
                    }
                }
            }
        }
        if (moves + expired > 0) logger.LogInformation("Smart tiering: {Moves} moves started, {Expired} rehydrations expired", moves, expired);
        return new Result(moves, expired);
    }

    private async Task<int> ExpireRehydrationsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var points = await db.RecoveryPoints.Include(r => r.Disks)
            .Where(r => r.ArchivedRpStatus == ArchiveStatuses.Rehydrated && r.RehydratedRpExpiryTime != null && r.RehydratedRpExpiryTime <= now).ToListAsync(ct);
        foreach (var point in points)
        {
            point.ArchivedRpStatus = ArchiveStatuses.Valid;
            point.RehydratedRpExpiryTime = null;
        }
        await db.SaveChangesAsync(ct);
        // The database first: a crash leaves a copy no tier uses, never a point that says Rehydrated without its copy.
        foreach (var disk in points.SelectMany(p => p.Disks).Where(d => d.VaultContainer is not null && d.VaultBlobName is not null))
            await storage.DeleteBlobIfExistsAsync(disk.VaultContainer!, disk.VaultBlobName!, ct);
        return points.Count;
    }
}

/// <summary>Registers the daily <see cref="SmartTiering"/> run (an idempotent upsert, so every node may).</summary>
public sealed class SmartTieringSchedule(IRecurringJobManager recurring) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        recurring.AddOrUpdate<SmartTiering>(SmartTiering.RecurringJobId, t => t.RunAsync(CancellationToken.None), Cron.Daily());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
