using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>
/// The recoveryPoints $filter (BMSRPQueryObject): the dates the CLI sends ("endDate eq '2024-05-31 11:59:59 PM' and
/// startDate eq '2024-05-01 12:00:00 AM'", UTC, inclusive), restorePointQueryType 'All', and the archive clauses:
/// moveReadyRPOnly / isReadyForMove (true or false) with targetTier ArchivedRP (VaultArchive), and tier (a tier a point
/// holds: InstantRP, HardenedRP, ArchivedRP, or the CLI's Snapshot, VaultStandard, VaultArchive). Anything else: 400 naming it.
/// </summary>
public static class RecoveryPointFilter
{
    public static async Task<IQueryable<RecoveryPoint>> ApplyAsync(BackupDbContext db, ProtectedItem item, string? filter, DateTimeOffset now, CancellationToken ct)
    {
        var points = db.RecoveryPoints.AsNoTracking().Where(r => r.ProtectedItemId == item.Id);
        bool? ready = null;
        foreach (var (key, value) in Jobs.ODataFilter.Parse(filter))
        {
            switch (key.ToLowerInvariant())
            {
                // A VM's points are all of one kind: 'All' is every point; the other query types are the workloads' (log, differential…).
                case "restorepointquerytype" when value.Equals("All", StringComparison.OrdinalIgnoreCase): break;
                case "startdate": { var date = Jobs.ODataFilter.ParseDate(value); points = points.Where(r => r.RecoveryPointTime >= date); break; }
                case "enddate": { var date = Jobs.ODataFilter.ParseDate(value); points = points.Where(r => r.RecoveryPointTime <= date); break; }
                case "movereadyrponly" or "isreadyformove":
                    ready = bool.TryParse(value, out var b) ? b : throw Unsupported(key, value, $"{key} takes 'true' or 'false'");
                    break;
                case "targettier" when value.Equals("ArchivedRP", StringComparison.OrdinalIgnoreCase) || value.Equals("VaultArchive", StringComparison.OrdinalIgnoreCase): break;
                case "tier": points = ByTier(points, key, value); break;
                default:
                    throw Unsupported(key, value, "use startDate, endDate, restorePointQueryType 'All', moveReadyRPOnly or isReadyForMove, targetTier 'ArchivedRP' and tier");
            }
        }
        if (ready is not { } wanted) return points;
        // Readiness is computed (policy, age, retention left): decided over the item's points, then paged like any list.
        var all = await points.ToListAsync(ct);
        var readiness = await ArchiveEligibility.EvaluateAsync(db, item, all, now, ct);
        var ids = all.Where(p => readiness[p.Id].IsReadyForMove == wanted).Select(p => p.Id).ToList();
        return points.Where(r => ids.Contains(r.Id));
    }

    private static IQueryable<RecoveryPoint> ByTier(IQueryable<RecoveryPoint> points, string key, string value) => value.ToLowerInvariant() switch
    {
        "instantrp" or "snapshot" => points.Where(r => r.InstantRpValid),
        "hardenedrp" or "vaultstandard" => points.Where(r => r.HardenedRpValid),
        "archivedrp" or "vaultarchive" => points.Where(r => r.ArchivedRpStatus != null),
        "vaultstandardrehydrated" => points.Where(r => r.ArchivedRpStatus == ArchiveStatuses.Rehydrated),
        _ => throw Unsupported(key, value, "tier takes InstantRP, HardenedRP or ArchivedRP (or Snapshot, VaultStandard, VaultArchive, VaultStandardRehydrated)"),
    };

    private static ArmException Unsupported(string key, string value, string hint) =>
        ArmException.BadRequest($"Unsupported $filter clause '{key} eq '{value}'' on recoveryPoints: {hint}.");
}
