using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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
    string RecoveryPointAdditionalInfo = "", [property: JsonPropertyName("recoveryPointProperties")] RecoveryPointLifecycle? Lifecycle = null);

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
        app.MapRecoveryPointRefusals();
    }

    private static async Task<Ok<ArmList<RecoveryPointResource>>> List([AsParameters] ItemRoute route, BackupDbContext db, HttpContext http, CancellationToken ct,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "$filter")] string? filter = null)
    {
        var (item, itemId) = await FindItem(db, route, ct);
        var points = db.RecoveryPoints.AsNoTracking().Where(r => r.ProtectedItemId == item.Id);
        // Azure's filter, as the CLI writes it: "endDate eq '2024-05-31 11:59:59 PM' and startDate eq '2024-05-01 12:00:00 AM'" (UTC, inclusive).
        foreach (var (key, value) in Jobs.ODataFilter.Parse(filter))
        {
            // A VM's points are all of one kind: 'All' is every point; the other query types are the workloads' (log, differential…).
            if (key.Equals("restorePointQueryType", StringComparison.OrdinalIgnoreCase) && value.Equals("All", StringComparison.OrdinalIgnoreCase)) continue;
            var date = key.ToLowerInvariant() is "startdate" or "enddate" ? Jobs.ODataFilter.ParseDate(value)
                : throw ArmException.BadRequest($"Unsupported $filter clause '{key} eq '{value}'' on recoveryPoints: use startDate and endDate (and restorePointQueryType 'All').");
            points = key.Equals("startDate", StringComparison.OrdinalIgnoreCase) ? points.Where(r => r.RecoveryPointTime >= date) : points.Where(r => r.RecoveryPointTime <= date);
        }
        // Newest first, as Azure lists them; points of one instant (a fake clock held still) in a fixed order.
        var page = await points
            .PageAsync(http, r => r.RecoveryPointTime, descending: true, ct, tieBreak: r => r.Id);
        return TypedResults.Ok(page.ToArmList(p => ToResource(itemId, item.VirtualMachine!, p, withDiskLists: false, item.DeferredDeleteTime is not null)));
    }

    private static async Task<Ok<RecoveryPointResource>> Get([AsParameters] ItemRoute route, string recoveryPointId, BackupDbContext db, CancellationToken ct)
    {
        var (item, itemId) = await FindItem(db, route, ct);
        var point = await db.RecoveryPoints.FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));
        return TypedResults.Ok(ToResource(itemId, item.VirtualMachine!, point, softDeleted: item.DeferredDeleteTime is not null));
    }

    private static async Task<(ProtectedItem, string)> FindItem(BackupDbContext db, ItemRoute route, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Disks).ThenInclude(d => d.ManagedDisk).AsSplitQuery().FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct)
            ?? throw ArmException.NotFound(ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
        return (item, ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
    }

    public static RecoveryPointResource ToResource(string itemId, VirtualMachine vm, RecoveryPoint p, bool withDiskLists = true, bool softDeleted = false)
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
        var state = PointVmState.OfPoint(p, vm);
        // Unmanaged VMs' disks can go back to their original storage accounts (the CLI's default for such points).
        return new RecoveryPointResource(ArmIds.RecoveryPoint(itemId, p.Name), p.Name,
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints",
            new RecoveryPointProperties("IaasVMRecoveryPoint", p.RecoveryPointType, p.RecoveryPointTime, state.SourceVmStorageType, false, false, state.IsManaged,
                state.VmSize, !state.IsManaged, state.OsType, tiers, p.ExpiryTime, disks, state.Zones, state.SecurityType, "",
                new RecoveryPointLifecycle(p.ExpiryTime, softDeleted))); // no size when the VM was created without one
    }
}
