using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Vaults;

/// <summary>
/// Reads and changes a vault's settings for every view of them (the vault, vaultconfig, vaultstorageconfig): the change
/// is made on a copy, checked against <see cref="VaultRules"/>, then stored on the tracked vault (the caller saves).
/// </summary>
public sealed class VaultSettingsStore(BackupDbContext db, IOptions<EmulatorOptions> options)
{
    public VaultSettings Read(Vault vault) => VaultSettings.Of(vault, options.Value.SoftDeleteRetentionDays);

    public VaultSettings Defaults() => VaultSettings.Defaults(options.Value.SoftDeleteRetentionDays);

    /// <summary>Whether the vault holds a protected item (soft-deleted ones included): its storage redundancy is then locked.</summary>
    public Task<bool> HoldsItemsAsync(Vault vault, CancellationToken ct) => db.ProtectedItems.AnyAsync(i => i.VaultId == vault.Id, ct);

    /// <returns>The settings as changed and stored.</returns>
    public async Task<VaultSettings> ChangeAsync(Vault vault, Action<VaultSettings> change, CancellationToken ct)
    {
        var before = Read(vault);
        var after = before.Clone();
        change(after);
        VaultRules.Check(before, after, await HoldsItemsAsync(vault, ct));
        after.SaveTo(vault);
        return after;
    }
}
