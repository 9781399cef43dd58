using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Protection;
using BackupControlPlane.Api.Features.Vaults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

public sealed record BackupRequest(BackupRequestProperties? Properties);

public sealed record BackupRequestProperties(string? ObjectType, DateTimeOffset? RecoveryPointExpiryTimeInUTC);

public static class BackupEndpoints
{
    public static void MapBackups(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Protected items");
        group.MapPost(ProtectionEndpoints.ItemRoute + "/backup", BackupNow).InOneTransaction()
            .WithSummary("Backup now (IaasVMBackupRequest); the recovery point expires at recoveryPointExpiryTimeInUTC, 30 days when absent.");
    }

    private static async Task<IResult> BackupNow(
        string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string containerName, string protectedItemName,
        BackupRequest? body, BackupDbContext db, BackupOrchestrator orchestrator, Agents.AgentNotifier notifier, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var container = ArmIds.ParseContainerName(containerName, "IaasVMContainer")
            ?? throw ArmException.BadRequest($"'{containerName}' is not an IaaS VM container name.");
        var itemId = ArmIds.ProtectedItem(VaultEndpoints.IdOf(vault), container);
        if (body?.Properties?.ObjectType is { } type && !type.Equals("IaasVMBackupRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{type}' is not supported here: use 'IaasVMBackupRequest'.");
        // The route is one transaction (InOneTransaction) from the "is a backup running?" check to the new job's insert:
        // two concurrent backup-now requests cannot both pass the check.
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Extensions)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        if (item.ProtectionState == ProtectionStates.ProtectionStopped)
            throw ArmException.BadRequest("Protection of this item is stopped; enable protection again with a policy before backing it up.", "BMSUserErrorProtectionStopped");
        var now = time.GetUtcNow();
        var expiry = body?.Properties?.RecoveryPointExpiryTimeInUTC ?? now.AddDays(30);
        if (expiry <= now) throw ArmException.BadRequest("recoveryPointExpiryTimeInUTC must be in the future.");

        var job = await orchestrator.StartOnDemandBackupAsync(item, expiry, ct);
        var op = AsyncOperation.Succeeded(vault.Id, job.Id, now);
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        OneTransaction.AfterCommit(http, () => notifier.Signal(item.VirtualMachineId)); // so the woken poll reads the task

        return ProtectionEndpoints.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }
}
