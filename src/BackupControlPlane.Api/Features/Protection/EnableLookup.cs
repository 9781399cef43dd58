using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>
/// What enabling protection reads, in one compiled statement (enable costs CPU per statement, docs/performance.md): the
/// vault, the VM and the policy the request names, the VM's protected item, and whether this container's item in the vault
/// is soft-deleted. Untracked: enable changes none of them but the item, which the route attaches. A part that is missing
/// is null, and the route then reads it the usual way, which answers ARM's error in the usual order: only a miss pays.
/// </summary>
public sealed record EnableLookup(Vault Vault, VirtualMachine? Vm, BackupPolicy? Policy, ProtectedItem? Item, bool SoftDeleted)
{
    /// <summary>The parts of a well-formed enable (or policy change) PUT; null for anything else (stop, suspend, malformed names).</summary>
    public static async Task<EnableLookup?> ReadAsync(BackupDbContext db, ItemRoute route, ProtectedItemRequestProperties? props, CancellationToken ct)
    {
        if (props is null || props.ProtectionState is { Length: > 0 } state
                && (state.Equals(ProtectionStates.ProtectionStopped, StringComparison.OrdinalIgnoreCase) || state.Equals(ProtectionStates.BackupsSuspended, StringComparison.OrdinalIgnoreCase)))
            return null;
        if (ArmItemNames.TryParse(route.FabricName, route.ContainerName, route.ProtectedItemName) is not { } container
            || (props.SourceResourceId is { } source ? ArmItemNames.TryParseVmId(source) : null) is not { } vm)
            return null;
        // Policy names are case-insensitive, as Azure's are (ArmLookups.FindPolicyAsync); they are ASCII (ArmLookups.RequireName),
        // where SQLite's lower() and .NET's agree.
        const string marker = "/backupPolicies/";
        var at = props.PolicyId?.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase) ?? -1;
        var policy = at < 0 ? "" : props.PolicyId![(at + marker.Length)..].ToLowerInvariant();
        return await Query.For(db)(db, ResourceKeys.Of(route.SubscriptionId, route.ResourceGroupName, route.VaultName), ResourceKeys.Of(vm.Sub, vm.Rg, vm.Name),
            policy, container, ct);
    }

    private static readonly CompiledQuery<Func<BackupDbContext, string, string, string, string, CancellationToken, Task<EnableLookup?>>> Query = new(() => EF.CompileAsyncQuery(
        (BackupDbContext db, string vaultKey, string vmKey, string policy, string container, CancellationToken ct) =>
            (from v in db.Vaults.AsNoTracking()
             where v.Key == vaultKey
             from m in db.VirtualMachines.Where(m => m.Key == vmKey).DefaultIfEmpty()
             from p in db.BackupPolicies.Where(p => p.VaultId == v.Id && p.Name.ToLower() == policy).DefaultIfEmpty()
             from i in db.ProtectedItems.Where(i => i.VirtualMachineId == m!.Id).DefaultIfEmpty()
             select new EnableLookup(v, m, p, i, db.ProtectedItems.Any(s => s.VaultId == v.Id && s.ContainerName == container && s.DeferredDeleteTime != null)))
            .FirstOrDefault()));
}
