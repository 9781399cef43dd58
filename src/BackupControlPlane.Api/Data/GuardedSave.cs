using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

public static class GuardedSave
{
    /// <summary>
    /// Saves unless another writer (a duplicate report, the watchdog, a second run of a job) changed a guarded row first
    /// (the task's <c>State</c> is a concurrency token); then this write loses, changes nothing, and the context forgets it.
    /// </summary>
    public static async Task<bool> SaveGuardedAsync(this BackupDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
