using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Protection;

public static class ProtectionEndpoints
{
    private const string V = ArmRoutes.Vault;

    public static void MapProtection(this IEndpointRouteBuilder app)
    {
        var arm = app.MapArm().WithTags("Protected items");
        arm.MapPut(ArmRoutes.ProtectedItem, Put).LongRunning().InOneTransaction().WithSummary("Enable protection for a VM (202 with Azure-AsyncOperation and Location).");
        arm.MapGet(ArmRoutes.ProtectedItem, Get).CachedRead();
        arm.MapDelete(ArmRoutes.ProtectedItem, Delete).LongRunning().Produces(StatusCodes.Status204NoContent).InOneTransaction().WithSummary("Stop protection and delete the backup data (202; the operation ends with 204).");
        arm.MapPost(V + "/backupFabrics/{fabricName}/refreshContainers", RefreshContainers).LongRunning(asyncOperationHeader: false).WithSummary("Discover VMs (202 with Location; the result answers 204).");
        arm.MapGet(V + "/backupFabrics/{fabricName}/operationResults/{operationId}", FabricOperationResult);
        app.MapProtectionLists();
        app.MapContainers();

        app.MapArm().MapPost("/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{location}/backupStatus", BackupStatus)
            .WithTags("Protected items").WithSummary("Is this VM protected, and by which vault (az backup protection check-vm).");

        app.MapPost("/api/backup/protection/enable-for-vm", EnableForVm).InOneTransaction().WithTags("Convenience (az CLI style)")
            .WithSummary("The equivalent of 'az backup protection enable-for-vm': returns the ConfigureBackup job.");
    }

    private static async Task<IResult> Put(
        [AsParameters] ItemRoute route,
        ProtectedItemRequest? body, BackupDbContext db, ProtectionService protection, HttpContext http, CancellationToken ct)
    {
        // An enable reads what it needs in one statement; anything else, or a part missing, is read below as it goes.
        var ahead = await EnableLookup.ReadAsync(db, route, body?.Properties, ct);
        var vault = ahead?.Vault ?? await route.VaultAsync(db, ct);
        var container = route.Container();
        var props = body?.Properties ?? throw ArmException.BadRequest("The request body must carry 'properties'.");
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        if (ArmPreconditions.HasConditions(http.Request))
            ArmPreconditions.Check(http, await db.ProtectedItems.Where(i => i.VaultId == vault.Id && i.ContainerName == container).Select(i => i.ETag).FirstOrDefaultAsync(ct),
                $"the protected item '{route.ProtectedItemName}'");
        if (props.ProtectionState is { Length: > 0 } suspend && suspend.Equals(ProtectionStates.BackupsSuspended, StringComparison.OrdinalIgnoreCase))
        {
            // Stop backups and retain the points as per policy (az backup protection disable --retain-as-per-policy; Terraform's protection_state).
            var existing = await Items(db, vault.Id).FirstOrDefaultAsync(i => i.ContainerName == container && i.DeferredDeleteTime == null, ct) ?? throw ArmException.NotFound(itemId);
            OnlyTheState(props, existing);
            var suspended = await protection.SuspendAsync(vault, existing, ct);
            return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{suspended.Id}", $"{itemId}/operationsStatus/{suspended.Id}");
        }
        if (props.ProtectionState is { Length: > 0 } state && state.Equals(ProtectionStates.ProtectionStopped, StringComparison.OrdinalIgnoreCase))
        {
            // Stop protection and keep the data (the CLI also sends policyId "").
            var existing = await Items(db, vault.Id).FirstOrDefaultAsync(i => i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
            OnlyTheState(props, existing);
            // isRehydrate: the CLI's 'protection undelete' brings a soft-deleted item back (protection stays stopped).
            // Undelete is only for a soft-deleted item; sent for any other, it is refused (never read as "stop protection").
            // The code is the emulator's counterpart of UserErrorBackupItemSoftDeleted: Azure's own is not documented.
            if (props.IsRehydrate == true && existing.DeferredDeleteTime is null)
                throw ArmException.BadRequest($"The item '{route.ProtectedItemName}' is not soft-deleted, so it cannot be undeleted (isRehydrate true): "
                    + "only an item whose backup data was deleted while soft delete is on can be.", "UserErrorBackupItemNotSoftDeleted");
            var stopped = props.IsRehydrate == true
                ? await protection.UndeleteAsync(vault, existing, ct)
                : await protection.StopAsync(vault, existing, ct);
            return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{stopped.Id}", $"{itemId}/operationsStatus/{stopped.Id}");
        }
        if (props.ProtectedItemType is { } type && !type.Equals("Microsoft.Compute/virtualMachines", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"protectedItemType '{type}' is not supported: use 'Microsoft.Compute/virtualMachines'.");
        var vmRef = ArmItemNames.ParseVmId(props.SourceResourceId ?? throw ArmException.BadRequest("properties.sourceResourceId (the VM's resource id) is required."));
        var vm = ahead?.Vm ?? await ArmLookups.FindVmAsync(db, vmRef.Sub, vmRef.Rg, vmRef.Name, ct, withDisksAndExtensions: false);
        if (ArmIds.ContainerName(vm.ResourceGroup, vm.Name) != container)
            throw ArmException.BadRequest($"The container and item names must name the VM in sourceResourceId: expected '{ArmIds.ContainerResourceName(ArmIds.ContainerName(vm.ResourceGroup, vm.Name))}'.");
        var policy = await ResolvePolicy(db, vault, props.PolicyId, ahead?.Policy, ct);
        // Two questions (with the rest above when read ahead): is this container's item soft-deleted in this vault, and
        // the VM's own item, which enable reads next (the same row unless the VM was re-created under the name). Read
        // inside the route's transaction; tracked (or attached), as enable changes it.
        var (softDeleted, item) = ahead is { Vm: not null, Policy: not null } ? (ahead.SoftDeleted, ahead.Item) : await ItemsAsync(db, vault, vm, container, ct);
        if (softDeleted)
            throw ArmException.BadRequest("The item is soft-deleted: undelete it (PUT with protectionState ProtectionStopped and isRehydrate true) before protecting it again.",
                "UserErrorBackupItemSoftDeleted");
        if (ahead?.Item is { } read && ReferenceEquals(read, item)) db.ProtectedItems.Attach(read);

        var disks = await DiskExclusionRequest.ReadAsync(props.ExtendedProperties, vm, db, ct);
        var enabled = await protection.EnableAsync(vault, vm, policy, ct, disks, http.Request.Query["api-version"].ToString(), new ProtectionService.KnownItem(item));
        return ArmAccepted.Accepted(http, $"{itemId}/operationResults/{enabled.Operation.Id}", $"{itemId}/operationsStatus/{enabled.Operation.Id}");
    }

    private static async Task<IResult> Delete(
        [AsParameters] ItemRoute route,
        BackupDbContext db, ProtectionService protection, HttpContext http, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var item = await Items(db, vault.Id).FirstOrDefaultAsync(i => i.ContainerName == container, ct);
        ArmPreconditions.Check(http, item?.ETag, $"the protected item '{route.ProtectedItemName}'");
        if (item is null || item.DeferredDeleteTime is not null) return TypedResults.NoContent();
        var op = await protection.DeleteAsync(vault, item, ct);
        var vaultId = ArmLookups.VaultId(vault);
        // Azure points a DELETE's polling URLs at the vault, not at the item that no longer exists.
        return ArmAccepted.Accepted(http, $"{vaultId}/backupOperationResults/{op.Id}", $"{vaultId}/backupOperations/{op.Id}");
    }

    /// <summary>Discovery: every emulated VM is known at once, so the operation is finished when the client first polls.</summary>
    private static async Task<IResult> RefreshContainers(string subscriptionId, string resourceGroupName, string vaultName, string fabricName,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        if (!fabricName.Equals("Azure", StringComparison.OrdinalIgnoreCase)) throw ArmException.NotFound($"backupFabrics/{fabricName} (the only fabric is 'Azure')");
        var now = time.GetUtcNow();
        var op = AsyncOperation.Succeeded(vault.Id, null, now);
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        return ArmAccepted.Accepted(http, $"{ArmIds.Fabric(ArmLookups.VaultId(vault))}/operationResults/{op.Id}", null);
    }

    private static async Task<IResult> FabricOperationResult(string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string operationId,
        BackupDbContext db, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var op = Guid.TryParse(operationId, out var id) ? await db.AsyncOperations.FirstOrDefaultAsync(o => o.Id == id && o.VaultId == vault.Id, ct) : null;
        if (op is null) throw ArmException.NotFound($"{ArmIds.Fabric(ArmLookups.VaultId(vault))}/operationResults/{operationId}");
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ProtectedItemResource>> Get(
        [AsParameters] ItemRoute route,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var container = route.Container();
        var row = await ItemWithPoints.For(db)(db, ResourceKeys.Of(route.SubscriptionId, route.ResourceGroupName, route.VaultName), container, ct);
        if (row is null)
        {
            // Only a miss pays for telling "no vault" from "no item".
            var vault = await ArmLookups.FindVaultForReadAsync(db, route.SubscriptionId, route.ResourceGroupName, route.VaultName, ct);
            throw ArmException.NotFound(ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container));
        }
        row.Item.VirtualMachine = row.VirtualMachine;
        row.Item.Policy = row.Policy;
        ArmPreconditions.SetETag(http, row.Item.ETag);
        var latest = await ItemHealth.LatestSettledAsync(db, [row.Item.Id], ct);
        return TypedResults.Ok(ProtectedItemMapper.ToResource(row.Vault, row.Item, (row.Points, row.Oldest), latest.GetValueOrDefault(row.Item.Id), time.GetUtcNow()));
    }

    private sealed record ItemRow(Vault Vault, ProtectedItem Item, VirtualMachine VirtualMachine, BackupPolicy? Policy, int Points, DateTimeOffset? Oldest);

    /// <summary>The most read resource in one compiled, untracked query: vault, item, VM, policy and point counts.</summary>
    private static readonly CompiledQuery<Func<BackupDbContext, string, string, CancellationToken, Task<ItemRow?>>> ItemWithPoints = new(() => EF.CompileAsyncQuery(
        (BackupDbContext db, string vaultKey, string container, CancellationToken ct) => db.ProtectedItems.AsNoTracking()
            .Where(i => i.Vault!.Key == vaultKey && i.ContainerName == container)
            .Select(i => new ItemRow(i.Vault!, i, i.VirtualMachine!, i.Policy,
                db.RecoveryPoints.Count(r => r.ProtectedItemId == i.Id),
                db.RecoveryPoints.Where(r => r.ProtectedItemId == i.Id).Min(r => (DateTimeOffset?)r.RecoveryPointTime)))
            .FirstOrDefault()));

    private static async Task<Results<Ok<JobResource>, ProblemHttpResult>> EnableForVm(EnableForVmRequest? body,
        BackupDbContext db, ProtectionService protection, IOptions<EmulatorOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.ResourceGroup) || string.IsNullOrWhiteSpace(body.VaultName) || string.IsNullOrWhiteSpace(body.Vm))
            return TypedResults.Problem("resourceGroup, vaultName and vm are required (policyName defaults to DefaultPolicy).", statusCode: 400, title: "Invalid request");
        var sub = string.IsNullOrWhiteSpace(body.SubscriptionId) ? options.Value.DefaultSubscriptionId : body.SubscriptionId;
        try
        {
            var vault = await ArmLookups.FindVaultAsync(db, sub, body.ResourceGroup, body.VaultName, ct);
            var vm = await ArmLookups.FindVmAsync(db, sub, body.ResourceGroup, body.Vm, ct, withDisksAndExtensions: false);
            var policy = await ArmLookups.FindPolicyAsync(db, vault, string.IsNullOrWhiteSpace(body.PolicyName) ? "DefaultPolicy" : body.PolicyName, ct);
            var enabled = await protection.EnableAsync(vault, vm, policy, ct);
            return TypedResults.Ok(JobMapper.ToResource(ArmLookups.VaultId(vault), enabled.Job, time.GetUtcNow(), details: true));
        }
        catch (ArmException e)
        {
            // Same service as the ARM route, but this is our own route: answer ProblemDetails.
            return TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: e.Code);
        }
    }

    public sealed record BackupStatusRequest(string? ResourceType, string? ResourceId);

    private static async Task<IResult> BackupStatus(string subscriptionId, string location, BackupStatusRequest? body, BackupDbContext db, CancellationToken ct)
    {
        var vmRef = ArmItemNames.ParseVmId(body?.ResourceId ?? throw ArmException.BadRequest("resourceId (the VM's resource id) is required."));
        var key = ResourceKeys.Of(vmRef.Sub, vmRef.Rg, vmRef.Name);
        var item = await db.ProtectedItems.Include(i => i.Vault).Include(i => i.Policy).FirstOrDefaultAsync(i => i.VirtualMachine!.Key == key, ct);
        if (item is null) return TypedResults.Ok(new Dictionary<string, string> { ["protectionStatus"] = "NotProtected" });
        return TypedResults.Ok(new Dictionary<string, string?>
        {
            ["protectionStatus"] = "Protected", ["vaultId"] = ArmLookups.VaultId(item.Vault!), ["fabricName"] = "Azure",
            ["containerName"] = item.ContainerName, ["protectedItemName"] = "vm;" + item.ContainerName, ["policyName"] = item.Policy?.Name,
        });
    }

    /// <summary>
    /// Stopping or suspending changes the protection state only: a policy or disk setting sent with it that differs from
    /// the item's is refused by name rather than dropped. An echo of the item (SDKs and Terraform send it whole) and the
    /// CLI's empty policyId pass.
    /// </summary>
    private static void OnlyTheState(ProtectedItemRequestProperties props, ProtectedItem existing)
    {
        if (props.PolicyId is { Length: > 0 } policyId && existing.Policy is { } policy
            && !policyId.TrimEnd('/').EndsWith("/backupPolicies/" + policy.Name, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"properties.policyId: stopping or suspending protection keeps the item's policy '{policy.Name}'; change the policy with a protection PUT of its own.", "BMSUserErrorInvalidInput");
        if (props.ExtendedProperties is { } sent
            && JsonSerializer.Serialize(sent) != JsonSerializer.Serialize(DiskExclusionRequest.View(existing.DiskExclusionJson) ?? new ProtectedItemExtendedProperties()))
            throw ArmException.BadRequest("properties.extendedProperties: stopping or suspending protection keeps the item's disk setting; change it with a protection PUT of its own.", "BMSUserErrorInvalidInput");
    }

    private static IQueryable<ProtectedItem> Items(BackupDbContext db, long vaultId) =>
        db.ProtectedItems.Include(i => i.VirtualMachine).Include(i => i.Policy).Where(i => i.VaultId == vaultId);

    private static async Task<(bool SoftDeleted, ProtectedItem? Item)> ItemsAsync(BackupDbContext db, Vault vault, VirtualMachine vm, string container, CancellationToken ct)
    {
        var items = await db.ProtectedItems.Where(i => i.VirtualMachineId == vm.Id || (i.VaultId == vault.Id && i.ContainerName == container && i.DeferredDeleteTime != null))
            .ToListAsync(ct);
        return (items.Any(i => i.VaultId == vault.Id && i.ContainerName == container && i.DeferredDeleteTime != null), items.FirstOrDefault(i => i.VirtualMachineId == vm.Id));
    }

    /// <param name="known">The policy as read ahead (<see cref="EnableLookup"/>), if it was.</param>
    private static async Task<BackupPolicy> ResolvePolicy(BackupDbContext db, Vault vault, string? policyId, BackupPolicy? known, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(policyId)) throw ArmException.BadRequest("properties.policyId is required to enable protection.");
        var vaultId = ArmLookups.VaultId(vault);
        var marker = "/backupPolicies/";
        var at = policyId.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || !policyId[..at].Equals(vaultId, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"policyId '{policyId}' must name a policy of this vault ({vaultId}/backupPolicies/{{name}}).");
        var name = policyId[(at + marker.Length)..];
        return known is not null && known.Name.Equals(name, StringComparison.OrdinalIgnoreCase) ? known : await ArmLookups.FindPolicyAsync(db, vault, name, ct);
    }
}
