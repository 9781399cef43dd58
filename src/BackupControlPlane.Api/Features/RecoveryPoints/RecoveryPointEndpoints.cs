using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

public sealed record RecoveryPointResource(string Id, string Name, string Type, RecoveryPointProperties Properties);

/// <summary>
/// Azure's IaasVMRecoveryPoint, describing the VM as the backup found it (<see cref="PointVmState"/>). Emulated VMs are
/// never encrypted, so <c>isSourceVMEncrypted</c> is false and <c>keyAndSecret</c> absent, as Azure answers for them.
/// </summary>
public sealed record RecoveryPointProperties(
    string ObjectType, string RecoveryPointType, DateTimeOffset RecoveryPointTime, string SourceVMStorageType, bool IsSourceVMEncrypted,
    bool IsInstantIlrSessionActive, bool IsManagedVirtualMachine, string? VirtualMachineSize, bool OriginalStorageAccountOption, string OsType,
    IReadOnlyList<RecoveryPointTier> RecoveryPointTierDetails, DateTimeOffset? RecoveryPointExpiryTimeInUTC,
    RecoveryPointDiskConfiguration? RecoveryPointDiskConfiguration = null, IReadOnlyList<string>? Zones = null, string SecurityType = "None",
    string RecoveryPointAdditionalInfo = "", [property: JsonPropertyName("recoveryPointProperties")] RecoveryPointLifecycle? Lifecycle = null,
    IReadOnlyDictionary<string, RecoveryPointMoveReadinessInfo>? RecoveryPointMoveReadinessInfo = null);

/// <summary>Whether a point can move to a tier (keyed by the tier, "ArchivedRP"), and why not.</summary>
public sealed record RecoveryPointMoveReadinessInfo(bool IsReadyForMove, string? AdditionalInfo);

/// <summary>Azure's recoveryPointProperties: when the point expires and whether its item is soft-deleted.</summary>
public sealed record RecoveryPointLifecycle(DateTimeOffset? ExpiryTime, bool IsSoftDeleted);

/// <summary>Which disks a point holds: the counts in lists of points, the disks themselves (OS disk at LUN -1) on a single point, as Azure answers.</summary>
public sealed record RecoveryPointDiskConfiguration(int NumberOfDisksIncludedInBackup, int NumberOfDisksAttachedToVm,
    IReadOnlyList<PointDisk>? IncludedDiskList, IReadOnlyList<PointDisk>? ExcludedDiskList);

/// <summary>A tier of the point; extendedInfo says until when the snapshot tier is kept (the emulator's addition, in Azure's extendedInfo map).</summary>
public sealed record RecoveryPointTier(string Type, string Status, IReadOnlyDictionary<string, string>? ExtendedInfo = null);

public static class RecoveryPointEndpoints
{
    public static void MapRecoveryPoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery points");
        group.MapGet(ArmRoutes.ProtectedItem + "/recoveryPoints", List);
        group.MapGet(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}", Get);
        app.MapArchiveMove();
        app.MapTieringCost();
    }

    private static async Task<Ok<ArmList<RecoveryPointResource>>> List([AsParameters] ItemRoute route, BackupDbContext db, HttpContext http,
        TimeProvider time, IOptions<EmulatorOptions> options, CancellationToken ct, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$filter")] string? filter = null)
    {
        var (item, itemId) = await FindItem(db, route, ct);
        var now = time.GetUtcNow();
        var points = await RecoveryPointFilter.ApplyAsync(db, item, filter, now, ct);
        if (RegionPairs.IsSecondaryRegionRead(http))
        {
            // The cross-region restore client's list: the points replicated to the vault's secondary region.
            SecondaryRegion.Of(await route.VaultAsync(db, ct));
            points = CrossRegionReplication.Replicated(db, points, now, options.Value.CrossRegionReplicationDelay);
        }
        // Newest first, as Azure lists them; points of one instant (a fake clock held still) in a fixed order.
        var page = await points
            .PageAsync(http, r => r.RecoveryPointTime, descending: true, ct, tieBreak: r => r.Id);
        var readiness = await ArchiveEligibility.EvaluateAsync(db, item, page.Rows, now, ct);
        var softDeleted = item.DeferredDeleteTime is not null;
        return TypedResults.Ok(page.ToArmList(p => ToResource(itemId, item.VirtualMachine!, p, now, readiness[p.Id], withDiskLists: false, softDeleted)));
    }

    private static async Task<Ok<RecoveryPointResource>> Get([AsParameters] ItemRoute route, string recoveryPointId, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (item, itemId) = await FindItem(db, route, ct);
        var point = await db.RecoveryPoints.FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));
        var now = time.GetUtcNow();
        var readiness = await ArchiveEligibility.EvaluateAsync(db, item, [point], now, ct);
        return TypedResults.Ok(ToResource(itemId, item.VirtualMachine!, point, now, readiness[point.Id], softDeleted: item.DeferredDeleteTime is not null));
    }

    public static async Task<(ProtectedItem, string)> FindItem(BackupDbContext db, ItemRoute route, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Disks).ThenInclude(d => d.ManagedDisk).AsSplitQuery().FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct)
            ?? throw ArmException.NotFound(ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
        return (item, ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
    }

    public static RecoveryPointResource ToResource(string itemId, VirtualMachine vm, RecoveryPoint p, DateTimeOffset now, MoveReadiness readiness,
        bool withDiskLists = true, bool softDeleted = false)
    {
        var disks = PointDiskConfiguration.Parse(p.DiskConfigurationJson) is { } c
            ? new RecoveryPointDiskConfiguration(c.IncludedDiskList.Count, c.NumberOfDisksAttachedToVm,
                withDiskLists ? c.IncludedDiskList : null, withDiskLists ? c.ExcludedDiskList : null)
            : null;
        var tiers = new List<RecoveryPointTier>();
        if (p.InstantRpValid)
            tiers.Add(new RecoveryPointTier("InstantRP", "Valid", p.InstantRpExpiryTime is { } until
                ? new Dictionary<string, string> { ["InstantRPExpiryTimeInUTC"] = until.UtcDateTime.ToString("o") } : null));
        if (p.HardenedRpValid) tiers.Add(new RecoveryPointTier("HardenedRP", "Valid"));
        // Archived: ArchivedRP only; rehydrated: the Standard tiers Deleted and ArchivedRP Rehydrated until its expiry, as Azure shows them.
        if (p.ArchivedRpStatus == ArchiveStatuses.Rehydrated)
            tiers.AddRange([new("InstantRP", "Deleted"), new("HardenedRP", "Deleted"), new("ArchivedRP", "Rehydrated",
                new Dictionary<string, string> { ["RehydratedRPExpiryTime"] = p.RehydratedRpExpiryTime!.Value.UtcDateTime.ToString("O") })]);
        else if (p.ArchivedRpStatus == ArchiveStatuses.Valid) tiers.Add(new RecoveryPointTier("ArchivedRP", "Valid"));
        var state = PointVmState.OfPoint(p, vm);
        // Unmanaged VMs' disks can go back to their original storage accounts (the CLI's default for such points).
        return new RecoveryPointResource(ArmIds.RecoveryPoint(itemId, p.Name), p.Name,
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
            new RecoveryPointProperties("IaasVMRecoveryPoint", p.RecoveryPointType, p.RecoveryPointTime, state.SourceVmStorageType, false, p.IlrSessionActive(now), state.IsManaged,
                state.VmSize, !state.IsManaged, state.OsType, tiers, p.ExpiryTime, disks, state.Zones, state.SecurityType, "",
                new RecoveryPointLifecycle(p.ExpiryTime, softDeleted), // no size when the VM was created without one
                new Dictionary<string, RecoveryPointMoveReadinessInfo> { ["ArchivedRP"] = new(readiness.IsReadyForMove, readiness.AdditionalInfo) }));
    }
}
