using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>The body of POST …/recoveryPoints/{rp}/move (bms.json MoveRPAcrossTiersRequest); the CLI sends no objectType.</summary>
public sealed record MoveRpAcrossTiersRequest(string? ObjectType, string? SourceTierType, string? TargetTierType);

/// <summary>The body of POST …/recoveryPointsRecommendedForMove (ListRecoveryPointsRecommendedForMoveRequest).</summary>
public sealed record ListRecoveryPointsRecommendedForMoveRequest(string? ObjectType, List<string>? ExcludedRPList);

/// <summary>The archive tier's item routes: the points recommended for move, and the move itself.</summary>
public static class ArchiveMoveEndpoints
{
    public static void MapArchiveMove(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery points");
        group.MapPost(ArmRoutes.ProtectedItem + "/recoveryPointsRecommendedForMove", Recommended)
            .WithSummary("The item's recovery points ready to move to the archive tier now (monthly/yearly points at least 3 months old with 6 months of retention left), minus excludedRPList.");
        group.MapPost(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}/move", Move).LongRunning()
            .WithSummary("Move a recovery point from VaultStandard (HardenedRP) to VaultArchive (ArchivedRP): 202 and a MoveRecoveryPoint job that moves its data to the vault's archive container.");
    }

    private static async Task<Ok<ArmList<RecoveryPointResource>>> Recommended([AsParameters] ItemRoute route, ListRecoveryPointsRecommendedForMoveRequest? body,
        BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (body?.ObjectType is { Length: > 0 } type && !type.Equals("ListRecoveryPointsRecommendedForMoveRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{type}' is not a ListRecoveryPointsRecommendedForMoveRequest.");
        var (item, itemId) = await RecoveryPointEndpoints.FindItem(db, route, ct);
        var excluded = body?.ExcludedRPList ?? [];
        var points = await db.RecoveryPoints.AsNoTracking().Where(r => r.ProtectedItemId == item.Id && !excluded.Contains(r.Name))
            .OrderByDescending(r => r.RecoveryPointTime).ThenBy(r => r.Id).ToListAsync(ct);
        var now = time.GetUtcNow();
        var readiness = await ArchiveEligibility.EvaluateAsync(db, item, points, now, ct);
        return TypedResults.Ok(new ArmList<RecoveryPointResource>(points.Where(p => readiness[p.Id].IsReadyForMove)
            .Select(p => RecoveryPointEndpoints.ToResource(itemId, item.VirtualMachine!, p, now, readiness[p.Id], withDiskLists: false)).ToList()));
    }

    private static async Task<IResult> Move([AsParameters] ItemRoute route, string recoveryPointId, MoveRpAcrossTiersRequest? body,
        BackupDbContext db, ArchiveMover mover, HttpContext http, CancellationToken ct)
    {
        if (body is null) throw ArmException.BadRequest("The request body must be a MoveRPAcrossTiersRequest: sourceTierType HardenedRP, targetTierType ArchivedRP.");
        if (body.ObjectType is { Length: > 0 } type && !type.Equals("MoveRPAcrossTiersRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{type}' is not a MoveRPAcrossTiersRequest.");
        // Azure moves VM points one way only: Vault-Standard to Vault-Archive (the CLI's and PowerShell's names accepted too).
        if (!Is(body.SourceTierType, "HardenedRP", "VaultStandard"))
            throw ArmException.BadRequest($"sourceTierType '{body.SourceTierType}' is not supported: a recovery point moves only from HardenedRP (VaultStandard).",
                "UserErrorRecoveryPointIsNotEligibleForArchiveMove");
        if (!Is(body.TargetTierType, "ArchivedRP", "VaultArchive"))
            throw ArmException.BadRequest($"targetTierType '{body.TargetTierType}' is not supported: a recovery point moves only to ArchivedRP (VaultArchive).",
                "UserErrorRecoveryPointIsNotEligibleForArchiveMove");
        var (item, itemId) = await RecoveryPointEndpoints.FindItem(db, route, ct);
        var point = await db.RecoveryPoints.AsNoTracking().FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));
        var op = await mover.StartAsync(item, point, "User", ct);
        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }

    private static bool Is(string? value, params string[] names) => names.Any(n => n.Equals(value, StringComparison.OrdinalIgnoreCase));
}
