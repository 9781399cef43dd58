using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>FetchTieringCostInfoRequest and its four kinds (bms.json), told apart by objectType.</summary>
public sealed record FetchTieringCostRequest(string? ObjectType, string? SourceTierType, string? TargetTierType, string? ContainerName,
    string? ProtectedItemName, string? RecoveryPointId, string? RehydrationPriority, string? PolicyName);

/// <summary>TieringCostRehydrationInfo or TieringCostSavingInfo, by objectType (the other kind's fields left out).</summary>
public sealed record TieringCostInfo(string ObjectType, long? RehydrationSizeInBytes = null, double? RetailRehydrationCostPerGBPerMonth = null,
    long? SourceTierSizeReductionInBytes = null, long? TargetTierSizeIncreaseInBytes = null, double? RetailSourceTierCostPerGBPerMonth = null,
    double? RetailTargetTierCostPerGBPerMonth = null);

/// <summary>
/// What tiering would save or rehydration cost, from the bytes the vault really holds: savings count the Standard-tier
/// bytes of the points recommended for move now (the vault's, the policy's items', or one item's), which the archive tier
/// would hold as they are (full copies); rehydration counts the archived point's bytes. Prices are fixed illustrative
/// list prices per GB and month (<see cref="Prices"/>), not a region's price sheet. Answers 200 at once, so the
/// operation routes know no operation.
/// </summary>
public static class TieringCostEndpoints
{
    /// <summary>Illustrative retail prices (USD per GB per month): Vault-Standard, Vault-Archive, rehydration Standard and High priority.</summary>
    public static class Prices
    {
        public const double Standard = 0.0224, Archive = 0.0018, RehydrateStandard = 0.022, RehydrateHigh = 0.11;
    }

    private const string Route = ArmRoutes.Vault + "/backupTieringCost/default";

    public static void MapTieringCost(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery points");
        group.MapPost(Route + "/fetchTieringCost", Fetch)
            .WithSummary("Tiering savings (vault, policy or item) or the rehydration cost of an archived point, from the bytes the vault holds (200 at once).");
        group.MapGet(Route + "/operationResults/{operationId}", (string operationId) => Unknown(operationId));
        group.MapGet(Route + "/operationsStatus/{operationId}", (string operationId) => Unknown(operationId));
    }

    private static async Task<Ok<TieringCostInfo>> Fetch(string subscriptionId, string resourceGroupName, string vaultName, FetchTieringCostRequest? body,
        BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        if (body is null) throw ArmException.BadRequest("The request body must be a FetchTieringCostInfoRequest.");
        if (body.SourceTierType is null || body.TargetTierType is null) throw ArmException.BadRequest("sourceTierType and targetTierType are required.");
        var kind = body.ObjectType ?? throw ArmException.BadRequest("objectType is required: FetchTieringCostSavingsInfoForVaultRequest, …ForPolicyRequest, …ForProtectedItemRequest or FetchTieringCostInfoForRehydrationRequest.");
        if (kind.Equals("FetchTieringCostInfoForRehydrationRequest", StringComparison.OrdinalIgnoreCase)) return TypedResults.Ok(await RehydrationAsync(db, vault, body, ct));
        Tiers(body, "HardenedRP", "ArchivedRP");
        var items = db.ProtectedItems.AsNoTracking().Include(i => i.VirtualMachine).Where(i => i.VaultId == vault.Id);
        if (kind.Equals("FetchTieringCostSavingsInfoForPolicyRequest", StringComparison.OrdinalIgnoreCase))
        {
            var policy = await ArmLookups.FindPolicyAsync(db, vault, body.PolicyName ?? throw ArmException.BadRequest("policyName is required."), ct);
            items = items.Where(i => i.PolicyId == policy.Id);
        }
        else if (kind.Equals("FetchTieringCostSavingsInfoForProtectedItemRequest", StringComparison.OrdinalIgnoreCase))
        {
            var container = ItemContainer(body);
            items = items.Where(i => i.ContainerName == container);
            if (!await items.AnyAsync(ct)) throw ArmException.NotFound(ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
        }
        else if (!kind.Equals("FetchTieringCostSavingsInfoForVaultRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{kind}' is not a FetchTieringCostInfoRequest kind.");

        long bytes = 0;
        var now = time.GetUtcNow();
        foreach (var item in await items.ToListAsync(ct))
        {
            var points = await db.RecoveryPoints.AsNoTracking().Include(r => r.Disks).Where(r => r.ProtectedItemId == item.Id && r.HardenedRpValid).ToListAsync(ct);
            var readiness = await ArchiveEligibility.EvaluateAsync(db, item, points, now, ct);
            bytes += points.Where(p => readiness[p.Id].IsReadyForMove).SelectMany(p => p.Disks).Sum(d => d.SizeBytes);
        }
        return TypedResults.Ok(new TieringCostInfo("TieringCostSavingInfo", SourceTierSizeReductionInBytes: bytes, TargetTierSizeIncreaseInBytes: bytes,
            RetailSourceTierCostPerGBPerMonth: Prices.Standard, RetailTargetTierCostPerGBPerMonth: Prices.Archive));
    }

    private static async Task<TieringCostInfo> RehydrationAsync(BackupDbContext db, Vault vault, FetchTieringCostRequest body, CancellationToken ct)
    {
        Tiers(body, "ArchivedRP", "HardenedRP");
        var price = body.RehydrationPriority?.ToLowerInvariant() switch
        {
            "standard" => Prices.RehydrateStandard,
            "high" => Prices.RehydrateHigh,
            var p => throw ArmException.BadRequest($"rehydrationPriority '{p}' is invalid: use Standard or High."),
        };
        var container = ItemContainer(body);
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var item = await db.ProtectedItems.AsNoTracking().FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        var point = await db.RecoveryPoints.AsNoTracking().Include(r => r.Disks).FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == body.RecoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, body.RecoveryPointId ?? ""));
        if (point.ArchivedRpStatus is null)
            throw ArmException.BadRequest("Rehydration is only supported for Archive Recovery Points", "UserErrorRecoveryPointRehydrationNotAllowed");
        return new TieringCostInfo("TieringCostRehydrationInfo", RehydrationSizeInBytes: point.Disks.Sum(d => d.SizeBytes), RetailRehydrationCostPerGBPerMonth: price);
    }

    private static void Tiers(FetchTieringCostRequest body, string source, string target)
    {
        if (!source.Equals(body.SourceTierType, StringComparison.OrdinalIgnoreCase) || !target.Equals(body.TargetTierType, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"sourceTierType '{body.SourceTierType}' and targetTierType '{body.TargetTierType}' are not supported for {body.ObjectType}: use {source} to {target}.");
    }

    private static string ItemContainer(FetchTieringCostRequest body) =>
        ArmItemNames.Parse("Azure", body.ContainerName ?? throw ArmException.BadRequest("containerName is required."),
            body.ProtectedItemName ?? throw ArmException.BadRequest("protectedItemName is required."));

    private static IResult Unknown(string operationId) =>
        ArmResults.Error(404, ArmErrorCodes.ResourceNotFound, $"No tiering cost operation '{operationId}': fetchTieringCost answers at once (200), so it never starts one.");
}
