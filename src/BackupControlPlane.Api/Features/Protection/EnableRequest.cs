using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>
/// What an enable (PUT protectedItem) is checked against before anything is written: the vault, the VM and the policy
/// it names, and no soft-deleted item in the way. Checked once outside the write turn (issue 22: the turn held all of
/// these reads, ~2.5 ms, and capped enables at a fifth of a one-row insert); inside the turn,
/// <see cref="UnchangedAsync"/> confirms in one statement that none of it changed since. What the turn must decide —
/// is the VM protected already, by which vault, with which policy type — <see cref="ProtectionService.EnableAsync"/>
/// still reads inside it.
/// </summary>
internal sealed record EnableRequest(Vault Vault, VirtualMachine Vm, BackupPolicy Policy, string Container, string ItemId)
{
    /// <summary>The route's checks, in its order: vault (404), names, item type, source VM (404), policy (400/404), soft delete.</summary>
    public static async Task<EnableRequest> ValidateAsync(ItemRoute route, ProtectedItemRequestProperties props, BackupDbContext db, CancellationToken ct)
    {
        var vault = await route.VaultAsync(db, ct);
        var container = route.Container();
        var itemId = ArmIds.ProtectedItem(ArmLookups.VaultId(vault), container);
        var (vm, policy) = await CheckAsync(vault, container, props, db, ct);
        return new EnableRequest(vault, vm, policy, container, itemId);
    }

    /// <summary>The checks after the vault's, shared with the route's one-transaction path.</summary>
    public static async Task<(VirtualMachine Vm, BackupPolicy Policy)> CheckAsync(Vault vault, string container, ProtectedItemRequestProperties props, BackupDbContext db, CancellationToken ct)
    {
        if (props.ProtectedItemType is { } type && !type.Equals("Microsoft.Compute/virtualMachines", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"protectedItemType '{type}' is not supported: use 'Microsoft.Compute/virtualMachines'.");
        var vmRef = ArmItemNames.ParseVmId(props.SourceResourceId ?? throw ArmException.BadRequest("properties.sourceResourceId (the VM's resource id) is required."));
        var vm = await ArmLookups.FindVmAsync(db, vmRef.Sub, vmRef.Rg, vmRef.Name, ct, withDisksAndExtensions: false);
        if (ArmIds.ContainerName(vm.ResourceGroup, vm.Name) != container)
            throw ArmException.BadRequest($"The container and item names must name the VM in sourceResourceId: expected '{ArmIds.ContainerResourceName(ArmIds.ContainerName(vm.ResourceGroup, vm.Name))}'.");
        var policy = await ResolvePolicy(db, vault, props.PolicyId, ct);
        if (await db.ProtectedItems.AnyAsync(i => i.VaultId == vault.Id && i.ContainerName == container && i.DeferredDeleteTime != null, ct))
            throw ArmException.BadRequest("The item is soft-deleted: undelete it (PUT with protectionState ProtectionStopped and isRehydrate true) before protecting it again.",
                "UserErrorBackupItemSoftDeleted");
        return (vm, policy);
    }

    /// <summary>
    /// Inside the write turn: the vault and the policy carry the ETags they were checked with (any change a client can
    /// see gives a new one), the policy's next slot is the same Hangfire job (so the enable need not read it again), the VM is the same row in the same place with the same spec (its security type decides
    /// which policies fit), and still no soft-deleted item stands in the way. False sends the caller back to
    /// <see cref="ValidateAsync"/>, inside the turn.
    /// </summary>
    public Task<bool> UnchangedAsync(BackupDbContext db, CancellationToken ct) =>
        Unchanged.For(db)(db, Vault.Id, Vault.ETag, Policy.Id, Policy.ETag, Policy.NextSlotJobId, Vm.Id, Vm.Location, Vm.SpecJson, Container, ct);

    private static readonly CompiledQuery<Func<BackupDbContext, long, string, long, string, string?, long, string, string?, string, CancellationToken, Task<bool>>> Unchanged = new(() =>
        EF.CompileAsyncQuery((BackupDbContext db, long vaultId, string vaultETag, long policyId, string policyETag, string? policySlotJob, long vmId, string location, string? spec, string container, CancellationToken ct) =>
            db.Vaults.Where(v => v.Id == vaultId && v.ETag == vaultETag)
                .Select(v => db.BackupPolicies.Any(p => p.Id == policyId && p.VaultId == v.Id && p.ETag == policyETag && p.NextSlotJobId == policySlotJob)
                    && db.VirtualMachines.Any(m => m.Id == vmId && m.Location == location && m.SpecJson == spec)
                    && !db.ProtectedItems.Any(i => i.VaultId == v.Id && i.ContainerName == container && i.DeferredDeleteTime != null))
                .FirstOrDefault()));

    private static async Task<BackupPolicy> ResolvePolicy(BackupDbContext db, Vault vault, string? policyId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(policyId)) throw ArmException.BadRequest("properties.policyId is required to enable protection.");
        var vaultId = ArmLookups.VaultId(vault);
        var marker = "/backupPolicies/";
        var at = policyId.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || !policyId[..at].Equals(vaultId, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"policyId '{policyId}' must name a policy of this vault ({vaultId}/backupPolicies/{{name}}).");
        return await ArmLookups.FindPolicyAsync(db, vault, policyId[(at + marker.Length)..], ct);
    }
}
