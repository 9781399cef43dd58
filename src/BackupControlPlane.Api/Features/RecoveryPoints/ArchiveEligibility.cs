using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Policies;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>Whether a point may move to the archive tier now, and Azure's code and text when it may not.</summary>
public sealed record MoveReadiness(bool IsReadyForMove, string? Code, string? AdditionalInfo);

/// <summary>
/// Azure's archive rules for VM recovery points: only points a monthly or yearly rule keeps (not daily, weekly or
/// on-demand ones), in the Standard tier for at least 3 months, with at least 6 months of retention left (and a
/// policy retention long enough for that at all). A point in the archive tier already, or without its Standard-tier
/// copy, cannot move.
/// </summary>
public static class ArchiveEligibility
{
    public static readonly TimeSpan MinRemaining = TimeSpan.FromDays(180);

    public static MoveReadiness Evaluate(RecoveryPoint p, bool monthlyOrYearly, DateTimeOffset now)
    {
        if (p.ArchivedRpStatus is not null)
            return No("UserErrorRecoveryPointAlreadyInArchiveTier", "Recovery-Point Type is not eligible for archive move as it is already moved to archive tier");
        if (!monthlyOrYearly)
            return No("RecoveryPointTypeNotEligibleForArchive", "Recovery-Point Type is not eligible for Archive Move. Only the points a monthly or yearly retention rule keeps can move.");
        if (!p.HardenedRpValid)
            return No("UserErrorRecoveryPointIsNotEligibleForArchiveMove", "Recovery-Point is not eligible for Archive Move. It has no copy in the Vault-Standard tier.");
        if (p.ExpiryTime is { } expiry && expiry - p.RecoveryPointTime < TimeSpan.FromDays(90) + MinRemaining)
            return No("RPMoveNotSupportedDueToInsufficientRetention",
                "Recovery point cannot be moved to Archive tier due to insufficient retention duration specified in policy.. Update policy on the protected item with appropriate retention setting and try again.");
        if (p.RecoveryPointTime.AddMonths(3) > now)
            return No("MinLifeSpanInStandardRequiredForArchive",
                $"Recovery-Point is not eligible for Archive Move as lifespan spent in Vault-Standard-Tier is lesser than the required minimum (3 months: from {p.RecoveryPointTime.AddMonths(3):u}).");
        if (p.ExpiryTime is { } end && end - now < MinRemaining)
            return No("MinRemainingLifeSpanInArchiveRequired", "Recovery-Point remaining lifespan is lesser than the required minimum. (6 months)");
        return new MoveReadiness(true, null, null);
    }

    /// <summary>The readiness of each of an item's points, by point id: one read of the item's policy and of the points' backup jobs.</summary>
    public static async Task<Dictionary<long, MoveReadiness>> EvaluateAsync(BackupDbContext db, ProtectedItem item, IReadOnlyCollection<RecoveryPoint> points,
        DateTimeOffset now, CancellationToken ct)
    {
        var policy = item.PolicyId is { } policyId ? await db.BackupPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == policyId, ct) : null;
        var jobIds = points.Select(p => p.JobId).Distinct().ToList();
        // A scheduled backup's slot decides its rules; an on-demand one (no slot) is never monthly or yearly. A job pruned
        // since leaves the point's own time.
        var slots = await db.BackupJobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).Select(j => new { j.Id, j.ScheduledSlotUtc }).ToDictionaryAsync(j => j.Id, j => j.ScheduledSlotUtc, ct);
        return points.ToDictionary(p => p.Id, p =>
        {
            var slot = slots.TryGetValue(p.JobId, out var s) ? s : p.RecoveryPointTime;
            return Evaluate(p, policy is not null && slot is { } at && RetentionRules.IsMonthlyOrYearly(policy, at), now);
        });
    }

    private static MoveReadiness No(string code, string info) => new(false, code, info);
}
