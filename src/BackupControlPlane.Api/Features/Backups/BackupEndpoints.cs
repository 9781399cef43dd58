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
        var group = app.MapArm().WithTags("Protected items");
        group.MapPost(ArmRoutes.ProtectedItem + "/backup", BackupNow).LongRunning().AddEndpointFilter(LogsContainerFirst).InOneTransaction()
            .WithSummary("Backup now (IaasVMBackupRequest); the recovery point expires at recoveryPointExpiryTimeInUTC, 30 days when absent.");
        app.MapBackupCancel();
        app.MapSnapshotReports();
    }

    private static async Task<IResult> BackupNow(
        [AsParameters] ItemRoute route,
        BackupRequest? body, BackupDbContext db, BackupStarter starter, Agents.AgentNotifier notifier, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        if (body?.Properties?.ObjectType is { } type && !type.Equals("IaasVMBackupRequest", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"objectType '{type}' is not supported here: use 'IaasVMBackupRequest'.");
        // The route is one transaction (InOneTransaction) from the "is a backup running?" check to the new job's insert:
        // two concurrent backup-now requests cannot both pass the check.
        // The VM's disks too: a task leased to a poll held here goes out with their SAS URIs (BackupStarter.ComposeForHeldPoll).
        var item = await db.ProtectedItems.Include(i => i.VirtualMachine!).ThenInclude(v => v.Extensions).Include(i => i.VirtualMachine!).ThenInclude(v => v.Disks)
            .FirstOrDefaultAsync(i => i.VaultId == vault.Id && i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
        if (item.ProtectionState is ProtectionStates.ProtectionStopped or ProtectionStates.BackupsSuspended)
            throw ArmException.BadRequest("Protection of this item is stopped; enable protection again with a policy before backing it up.", "BMSUserErrorProtectionStopped");
        var now = time.GetUtcNow();
        var expiry = body?.Properties?.RecoveryPointExpiryTimeInUTC ?? now.AddDays(30);
        if (expiry <= now) throw ArmException.BadRequest("recoveryPointExpiryTimeInUTC must be in the future.");

        var logs = (PreparedLogsContainer)http.Items[typeof(PreparedLogsContainer)]!;
        var started = await starter.StartOnDemandBackupAsync(item, expiry, logs.TaskGuid, ct);
        logs.Used = started.Task is not null; // a job failed at once (agent Not Ready) has no task
        var op = AsyncOperation.Succeeded(vault.Id, started.Job.Id, now);
        db.AsyncOperations.Add(op);
        await starter.SaveStartedAsync(started, ct);
        // After the commit, so the woken poll reads the task; a poll held here is handed the goal state composed in the write.
        OneTransaction.AfterCommit(http, () => notifier.Signal(item.VirtualMachineId, starter.ComposeForHeldPoll(started)));

        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{op.Id}", $"{itemId}/operationsStatus/{op.Id}");
    }

    private sealed class PreparedLogsContainer(Guid taskGuid)
    {
        public Guid TaskGuid { get; } = taskGuid;
        public bool Used { get; set; }
    }

    /// <summary>
    /// The new task's logs container is made before the route's transaction (outermost filter), so no storage round trip
    /// runs while the transaction holds the write lock; a request that ends without creating the task deletes it again.
    /// </summary>
    private static async ValueTask<object?> LogsContainerFirst(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var storage = http.RequestServices.GetRequiredService<Infrastructure.BlobStorage>();
        var logs = new PreparedLogsContainer(Guid.NewGuid());
        var container = BackupStarter.LogsContainer(logs.TaskGuid);
        await storage.CreateContainerAsync(container, http.RequestAborted);
        await storage.FlushAsync(http.RequestAborted); // the agent will write its status there: durable before the task is
        http.Items[typeof(PreparedLogsContainer)] = logs;
        try
        {
            return await next(context);
        }
        catch
        {
            logs.Used = false; // the transaction did not commit
            throw;
        }
        finally
        {
            if (!logs.Used)
            {
                try { await storage.DeleteContainerIfExistsAsync(container, CancellationToken.None); }
                catch (Exception e) when (Infrastructure.BlobStorage.IsUnavailable(e)) { } // an empty container is all that is left
            }
        }
    }
}
