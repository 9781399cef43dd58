using BackupControlPlane.Api.Infrastructure;
using System.Text.RegularExpressions;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Arm;

/// <summary>
/// The lookups every slice's ARM routes share, each answering ARM's not-found (or invalid-name) error the same way
/// wherever it is used: the vault, a policy of a vault, a VM, a resource name.
/// </summary>
public static partial class ArmLookups
{
    public static async Task<Vault> FindVaultAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        return await db.Vaults.FirstOrDefaultAsync(v => v.Key == key, ct) ?? throw VaultNotFound(rg, name);
    }

    /// <summary>
    /// The vault for a read-only route: one compiled, untracked query. Never for a route that changes the vault (an
    /// untracked entity's changes are not saved).
    /// </summary>
    public static async Task<Vault> FindVaultForReadAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct) =>
        await VaultByKey.For(db)(db, ResourceKeys.Of(sub, rg, name), ct) ?? throw VaultNotFound(rg, name);

    private static readonly CompiledQuery<Func<BackupDbContext, string, CancellationToken, Task<Vault?>>> VaultByKey = new(() =>
        EF.CompileAsyncQuery((BackupDbContext db, string key, CancellationToken ct) => db.Vaults.AsNoTracking().FirstOrDefault(v => v.Key == key)));

    private static ArmException VaultNotFound(string rg, string name) => new(404, ArmErrorCodes.ResourceNotFound,
        $"The Resource 'Microsoft.RecoveryServices/vaults/{name}' under resource group '{rg}' was not found.");

    public static string VaultId(Vault v) => ArmIds.Vault(v.SubscriptionId, v.ResourceGroup, v.Name);

    public static async Task<BackupPolicy> FindPolicyAsync(BackupDbContext db, Vault vault, string policyName, CancellationToken ct)
    {
        var policies = await db.BackupPolicies.Where(p => p.VaultId == vault.Id).ToListAsync(ct);
        return policies.FirstOrDefault(p => p.Name.Equals(policyName, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.NotFound($"{VaultId(vault)}/backupPolicies/{policyName}");
    }

    public static async Task<VirtualMachine> FindVmAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct, bool withDisksAndExtensions = true)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        // Disks and extensions are two more queries (split), which enabling protection does not need.
        IQueryable<VirtualMachine> vms = withDisksAndExtensions
            ? db.VirtualMachines.Include(v => v.Disks).ThenInclude(d => d.ManagedDisk).Include(v => v.Extensions) : db.VirtualMachines;
        return await vms.FirstOrDefaultAsync(v => v.Key == key, ct)
            ?? throw new ArmException(404, ArmErrorCodes.ResourceNotFound,
                $"The Resource 'Microsoft.Compute/virtualMachines/{name}' under resource group '{rg}' was not found.");
    }

    public static void RequireName(string name, string what)
    {
        if (!ValidName().IsMatch(name))
            throw ArmException.BadRequest($"The {what} name '{Truncate(name)}' is invalid: use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit.", ArmErrorCodes.InvalidResourceName);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,62}$")]
    private static partial Regex ValidName();

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
