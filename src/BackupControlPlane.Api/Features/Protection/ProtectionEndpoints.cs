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
    private const string V = VaultEndpoints.VaultRoute;
    public const string ItemRoute = V + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{protectedItemName}";

    public static void MapProtection(this IEndpointRouteBuilder app)
    {
        var arm = app.MapGroup("").WithTags("Protected items");
        arm.MapPut(ItemRoute, Put).InOneTransaction().WithSummary("Enable protection for a VM (202 with Azure-AsyncOperation and Location).");
        arm.MapGet(ItemRoute, Get).CachedRead();
        arm.MapDelete(ItemRoute, Delete).InOneTransaction().WithSummary("Stop protection and delete the backup data (202; the operation ends with 204).");
        arm.MapPost(V + "/backupFabrics/{fabricName}/refreshContainers", RefreshContainers).WithSummary("Discover VMs (202 with Location; the result answers 204).");
        arm.MapGet(V + "/backupFabrics/{fabricName}/operationResults/{operationId}", FabricOperationResult);
        app.MapProtectionLists();

        app.MapPost("/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{location}/backupStatus", BackupStatus)
            .WithTags("Protected items").WithSummary("Is this VM protected, and by which vault (az backup protection check-vm).");

        app.MapPost("/api/backup/protection/enable-for-vm", EnableForVm).InOneTransaction().WithTags("Convenience (az CLI style)")
            .WithSummary("The equivalent of 'az backup protection enable-for-vm': returns the ConfigureBackup job.");
    }

    private static async Task<IResult> Put(
        string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string containerName, string protectedItemName,
        ProtectedItemRequest? body, BackupDbContext db, ProtectionService protection, HttpContext http, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var container = ParseNames(fabricName, containerName, protectedItemName);
        var props = body?.Properties ?? throw ArmException.BadRequest("The request body must carry 'properties'.");
        var itemId = ArmIds.ProtectedItem(VaultEndpoints.IdOf(vault), container);
        if (ArmPreconditions.HasConditions(http.Request))
            ArmPreconditions.Check(http, await db.ProtectedItems.Where(i => i.VaultId == vault.Id && i.ContainerName == container).Select(i => i.ETag).FirstOrDefaultAsync(ct),
                $"the protected item '{protectedItemName}'");
        if (props.ProtectionState is { Length: > 0 } state && state.Equals(ProtectionStates.ProtectionStopped, StringComparison.OrdinalIgnoreCase))
        {
            // Stop protection and keep the data (the CLI also sends policyId "").
            var existing = await Items(db, vault.Id).FirstOrDefaultAsync(i => i.ContainerName == container, ct) ?? throw ArmException.NotFound(itemId);
            // isRehydrate: the CLI's 'protection undelete' brings a soft-deleted item back (protection stays stopped).
            var stopped = props.IsRehydrate == true && existing.DeferredDeleteTime is not null
                ? await protection.UndeleteAsync(vault, existing, ct)
                : await protection.StopAsync(vault, existing, ct);
            return Accepted(http, $"{itemId}/operationResults/{stopped.Id}", $"{itemId}/operationsStatus/{stopped.Id}");
        }
        if (props.ProtectedItemType is { } type && !type.Equals("Microsoft.Compute/virtualMachines", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"protectedItemType '{type}' is not supported: use 'Microsoft.Compute/virtualMachines'.");
        var vmRef = ParseVmId(props.SourceResourceId ?? throw ArmException.BadRequest("properties.sourceResourceId (the VM's resource id) is required."));
        var vm = await VirtualMachineEndpoints.Find(db, vmRef.Sub, vmRef.Rg, vmRef.Name, ct, withDisksAndExtensions: false);
        if (ArmIds.ContainerName(vm.ResourceGroup, vm.Name) != container)
            throw ArmException.BadRequest($"The container and item names must name the VM in sourceResourceId: expected '{ArmIds.ContainerResourceName(ArmIds.ContainerName(vm.ResourceGroup, vm.Name))}'.");
        var policy = await ResolvePolicy(db, vault, props.PolicyId, ct);
        if (await db.ProtectedItems.AnyAsync(i => i.VaultId == vault.Id && i.ContainerName == container && i.DeferredDeleteTime != null, ct))
            throw ArmException.BadRequest("The item is soft-deleted: undelete it (PUT with protectionState ProtectionStopped and isRehydrate true) before protecting it again.",
                "UserErrorBackupItemSoftDeleted");

        var enabled = await protection.EnableAsync(vault, vm, policy, ct);
        return Accepted(http, $"{itemId}/operationResults/{enabled.Operation.Id}", $"{itemId}/operationsStatus/{enabled.Operation.Id}");
    }

    /// <summary>
    /// ARM's long-running answer: 202, no body, and absolute polling URLs (the SDK follows them as given), on the
    /// configured public base URL when the emulator sits behind a proxy.
    /// </summary>
    public static IResult Accepted(HttpContext http, string location, string? asyncOperation)
    {
        var version = "?api-version=" + Uri.EscapeDataString(http.Request.Query["api-version"].ToString());
        var configured = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.PublicBaseUrl;
        var baseUri = string.IsNullOrEmpty(configured) ? $"{http.Request.Scheme}://{http.Request.Host}" : configured.TrimEnd('/');
        http.Response.Headers.Location = baseUri + location + version;
        if (asyncOperation is not null) http.Response.Headers["Azure-AsyncOperation"] = baseUri + asyncOperation + version;
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.StatusCode(StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> Delete(
        string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string containerName, string protectedItemName,
        BackupDbContext db, ProtectionService protection, HttpContext http, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var container = ParseNames(fabricName, containerName, protectedItemName);
        var item = await Items(db, vault.Id).FirstOrDefaultAsync(i => i.ContainerName == container, ct);
        ArmPreconditions.Check(http, item?.ETag, $"the protected item '{protectedItemName}'");
        if (item is null || item.DeferredDeleteTime is not null) return TypedResults.NoContent();
        var op = await protection.DeleteAsync(vault, item, ct);
        var vaultId = VaultEndpoints.IdOf(vault);
        // Azure points a DELETE's polling URLs at the vault, not at the item that no longer exists.
        return Accepted(http, $"{vaultId}/backupOperationResults/{op.Id}", $"{vaultId}/backupOperations/{op.Id}");
    }

    /// <summary>Discovery: every emulated VM is known at once, so the operation is finished when the client first polls.</summary>
    private static async Task<IResult> RefreshContainers(string subscriptionId, string resourceGroupName, string vaultName, string fabricName,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        if (!fabricName.Equals("Azure", StringComparison.OrdinalIgnoreCase)) throw ArmException.NotFound($"backupFabrics/{fabricName} (the only fabric is 'Azure')");
        var now = time.GetUtcNow();
        var op = AsyncOperation.Succeeded(vault.Id, null, now);
        db.AsyncOperations.Add(op);
        await db.SaveChangesAsync(ct);
        return Accepted(http, $"{ArmIds.Fabric(VaultEndpoints.IdOf(vault))}/operationResults/{op.Id}", null);
    }

    private static async Task<IResult> FabricOperationResult(string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string operationId,
        BackupDbContext db, CancellationToken ct)
    {
        var vault = await VaultEndpoints.FindAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var op = Guid.TryParse(operationId, out var id) ? await db.AsyncOperations.FirstOrDefaultAsync(o => o.Id == id && o.VaultId == vault.Id, ct) : null;
        if (op is null) throw ArmException.NotFound($"{ArmIds.Fabric(VaultEndpoints.IdOf(vault))}/operationResults/{operationId}");
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ProtectedItemResource>> Get(
        string subscriptionId, string resourceGroupName, string vaultName, string fabricName, string containerName, string protectedItemName,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var container = ParseNames(fabricName, containerName, protectedItemName);
        var row = await ItemWithPoints.For(db)(db, ResourceKeys.Of(subscriptionId, resourceGroupName, vaultName), container, ct);
        if (row is null)
        {
            // Only a miss pays for telling "no vault" from "no item".
            var vault = await VaultEndpoints.FindForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
            throw ArmException.NotFound(ArmIds.ProtectedItem(VaultEndpoints.IdOf(vault), container));
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
            var vault = await VaultEndpoints.FindAsync(db, sub, body.ResourceGroup, body.VaultName, ct);
            var vm = await VirtualMachineEndpoints.Find(db, sub, body.ResourceGroup, body.Vm, ct, withDisksAndExtensions: false);
            var policy = await VaultEndpoints.FindPolicyAsync(db, vault, string.IsNullOrWhiteSpace(body.PolicyName) ? "DefaultPolicy" : body.PolicyName, ct);
            var enabled = await protection.EnableAsync(vault, vm, policy, ct);
            return TypedResults.Ok(JobMapper.ToResource(VaultEndpoints.IdOf(vault), enabled.Job, time.GetUtcNow()));
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
        var vmRef = ParseVmId(body?.ResourceId ?? throw ArmException.BadRequest("resourceId (the VM's resource id) is required."));
        var key = ResourceKeys.Of(vmRef.Sub, vmRef.Rg, vmRef.Name);
        var item = await db.ProtectedItems.Include(i => i.Vault).Include(i => i.Policy).FirstOrDefaultAsync(i => i.VirtualMachine!.Key == key, ct);
        if (item is null) return TypedResults.Ok(new Dictionary<string, string> { ["protectionStatus"] = "NotProtected" });
        return TypedResults.Ok(new Dictionary<string, string?>
        {
            ["protectionStatus"] = "Protected", ["vaultId"] = VaultEndpoints.IdOf(item.Vault!), ["fabricName"] = "Azure",
            ["containerName"] = item.ContainerName, ["protectedItemName"] = "vm;" + item.ContainerName, ["policyName"] = item.Policy?.Name,
        });
    }

    private static IQueryable<ProtectedItem> Items(BackupDbContext db, long vaultId) =>
        db.ProtectedItems.Include(i => i.VirtualMachine).Include(i => i.Policy).Where(i => i.VaultId == vaultId);

    internal static string ParseNames(string fabric, string container, string item)
    {
        if (!fabric.Equals("Azure", StringComparison.OrdinalIgnoreCase))
            throw ArmException.NotFound($"backupFabrics/{fabric} (the only fabric is 'Azure')");
        var c = ArmIds.ParseContainerName(container, "IaasVMContainer")
            ?? throw ArmException.BadRequest($"'{container}' is not an IaaS VM container name: expected 'IaasVMContainer;iaasvmcontainerv2;{{resourceGroup}};{{vm}}'.");
        var i = ArmIds.ParseContainerName(item, "VM")
            ?? throw ArmException.BadRequest($"'{item}' is not an IaaS VM item name: expected 'VM;iaasvmcontainerv2;{{resourceGroup}};{{vm}}'.");
        if (c != i) throw ArmException.BadRequest($"The container '{container}' and the item '{item}' name different VMs.");
        return c;
    }

    internal static (string Sub, string Rg, string Name) ParseVmId(string id)
    {
        var parts = id.Trim('/').Split('/');
        if (parts.Length == 8 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) && parts[4].Equals("providers", StringComparison.OrdinalIgnoreCase)
            && parts[5].Equals("Microsoft.Compute", StringComparison.OrdinalIgnoreCase) && parts[6].Equals("virtualMachines", StringComparison.OrdinalIgnoreCase))
            return (parts[1], parts[3], parts[7]);
        throw ArmException.BadRequest($"sourceResourceId '{id}' is not a VM resource id (/subscriptions/{{sub}}/resourceGroups/{{rg}}/providers/Microsoft.Compute/virtualMachines/{{vm}}).");
    }

    private static async Task<BackupPolicy> ResolvePolicy(BackupDbContext db, Vault vault, string? policyId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(policyId)) throw ArmException.BadRequest("properties.policyId is required to enable protection.");
        var vaultId = VaultEndpoints.IdOf(vault);
        var marker = "/backupPolicies/";
        var at = policyId.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || !policyId[..at].Equals(vaultId, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"policyId '{policyId}' must name a policy of this vault ({vaultId}/backupPolicies/{{name}}).");
        return await VaultEndpoints.FindPolicyAsync(db, vault, policyId[(at + marker.Length)..], ct);
    }
}
