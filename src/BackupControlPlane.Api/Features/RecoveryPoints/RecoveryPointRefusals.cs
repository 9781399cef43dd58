using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.RecoveryPoints;

/// <summary>
/// Recovery point actions Azure has that the emulator does not yet (file recovery): the route exists, checks
/// the item and point like every other, and answers 400 <c>BMSUserErrorNotSupported</c> saying what is missing.
/// </summary>
public static class RecoveryPointRefusals
{
    private const string NotSupported = "BMSUserErrorNotSupported";

    public static void MapRecoveryPointRefusals(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Recovery points");
        var item = ArmRoutes.ProtectedItem;
        group.MapPost(item + "/recoveryPoints/{recoveryPointId}/provisionInstantItemRecovery", ([AsParameters] ItemRoute route, string recoveryPointId, BackupDbContext db, CancellationToken ct) =>
            RefuseAsync(db, route, recoveryPointId, "File recovery (item-level recovery, provisionInstantItemRecovery) is not emulated yet: restore the disks instead (POST …/restore with recoveryType RestoreDisks).", ct));
        group.MapPost(item + "/recoveryPoints/{recoveryPointId}/revokeInstantItemRecovery", ([AsParameters] ItemRoute route, string recoveryPointId, BackupDbContext db, CancellationToken ct) =>
            RefuseAsync(db, route, recoveryPointId, "File recovery (item-level recovery, revokeInstantItemRecovery) is not emulated yet: no file recovery session is ever provisioned.", ct));
    }

    /// <summary>The item (and point) must exist, as in Azure; then the refusal.</summary>
    private static async Task<IResult> RefuseAsync(BackupDbContext db, ItemRoute route, string? recoveryPointId, string message, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var item = await db.ProtectedItems.AsNoTracking().FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct)
            ?? throw ArmException.NotFound(itemId);
        if (recoveryPointId is not null && !await db.RecoveryPoints.AnyAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct))
            throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));
        throw ArmException.BadRequest(message, NotSupported);
    }
}
