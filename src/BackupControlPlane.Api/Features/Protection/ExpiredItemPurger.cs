using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Backups;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Protection;

/// <summary>Soft-deleted items whose retention is up go for good, with all their points (for the daily retention run).</summary>
public sealed class ExpiredItemPurger(BackupDbContext db, ProtectionService protection) : IExpiredItemPurger
{
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        var purge = await db.ProtectedItems.Include(i => i.Vault).Include(i => i.VirtualMachine).Where(i => i.DeferredDeleteTime != null && i.DeferredDeleteTime <= now).ToListAsync(ct);
        foreach (var item in purge) await protection.PurgeAsync(item.Vault!, item, ct, recordJob: false);
        return purge.Count;
    }
}
