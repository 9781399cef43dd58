using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.FileRecovery;

/// <summary>
/// File-level recovery (item-level recovery, ILR): <c>az backup restore files mount-rp</c> / <c>unmount-rp</c>. Both
/// answer 202 with Location and Azure-AsyncOperation; the operation (…/backupOperations/{op}) carries the client
/// scripts under <c>properties.recoveryTarget.clientScripts</c>, and the point shows <c>isInstantIlrSessionActive</c>.
/// </summary>
public static class FileRecoveryEndpoints
{
    public static void MapFileRecovery(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("File recovery");
        group.MapPost(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}/provisionInstantItemRecovery", Provision).LongRunning()
            .WithSummary("Open a file-recovery session on a recovery point: 202; the operation's properties carry the script that downloads " +
                "the point's disks read-only (valid 12 hours, or until revoked).");
        group.MapPost(ArmRoutes.ProtectedItem + "/recoveryPoints/{recoveryPointId}/revokeInstantItemRecovery", Revoke).LongRunning()
            .WithSummary("End the recovery point's file-recovery session at once: its download links stop working.");
    }

    private static async Task<IResult> Provision([AsParameters] ItemRoute route, string recoveryPointId, IlrRequest? body,
        BackupDbContext db, FileRecoveryService sessions, HttpContext http, CancellationToken ct)
    {
        var (vault, item, point, itemId) = await FindAsync(db, route, recoveryPointId, ct);
        var request = Validate(body?.Properties, item, recoveryPointId);
        if (item.DeferredDeleteTime is not null)
            throw ArmException.BadRequest("The item is soft-deleted: undelete it before recovering files from its recovery points.", "UserErrorBackupItemSoftDeleted");
        var op = await sessions.ProvisionAsync(vault, item, point, request, ct);
        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }

    private static async Task<IResult> Revoke([AsParameters] ItemRoute route, string recoveryPointId, BackupDbContext db, FileRecoveryService sessions,
        HttpContext http, CancellationToken ct)
    {
        var (vault, _, point, itemId) = await FindAsync(db, route, recoveryPointId, ct);
        var op = await sessions.RevokeAsync(vault, point, ct);
        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }

    private static async Task<(Vault, ProtectedItem, RecoveryPoint, string)> FindAsync(BackupDbContext db, ItemRoute route, string recoveryPointId, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        var point = await db.RecoveryPoints.Include(r => r.Disks).FirstOrDefaultAsync(r => r.ProtectedItemId == item.Id && r.Name == recoveryPointId, ct)
            ?? throw ArmException.NotFound(ArmIds.RecoveryPoint(itemId, recoveryPointId));
        return (vault, item, point, itemId);
    }

    /// <summary>Checks the IaasVMILRRegistrationRequest; every member is optional except that those sent must fit this point and VM.</summary>
    private static IlrRegistrationRequest Validate(IlrRegistrationRequest? p, ProtectedItem item, string recoveryPointId)
    {
        if (p is null) return new IlrRegistrationRequest(null, null, null, null, null);
        if (p.ObjectType is { Length: > 0 } type && !type.Equals("IaasVMILRRegistrationRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{type}' is not a file-recovery request for Azure VMs: use 'IaasVMILRRegistrationRequest'.");
        if (p.RecoveryPointId is { Length: > 0 } rp && rp != recoveryPointId)
            throw ArmException.BadRequest($"properties.recoveryPointId '{rp}' is not the recovery point of the URL ({recoveryPointId}).");
        if (p.VirtualMachineId is { Length: > 0 } vmId)
        {
            var vm = ArmItemNames.ParseVmId(vmId);
            if (!ResourceKeys.Of(vm.Sub, vm.Rg, vm.Name).Equals(item.VirtualMachine!.Key, StringComparison.Ordinal))
                throw ArmException.BadRequest($"properties.virtualMachineId '{vmId}' is not the VM this item protects ({item.VirtualMachine.Name}).");
        }
        return p;
    }
}
