using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Data;

/// <summary>
/// The one way to change a VM's incarnation (the number a waiting agent compares to know its goal state changed): a
/// single UPDATE adding one in the database. Never read-modify-write: a task issued, a fault set and a registration can
/// land at the same moment, and two writers that both read 5 and write 6 lose a change: an agent that saw 6 after the
/// first keeps waiting while the second goes unnoticed. Bump after writing what the agent should see (the task, the
/// fault), and wake the agent after the commit.
/// </summary>
public static class VmIncarnation
{
    /// <summary>Bumps one VM's incarnation; returns the new value (exact inside a write transaction, which holds the row).</summary>
    public static async Task<long> BumpIncarnationAsync(this BackupDbContext db, long vmId, CancellationToken ct)
    {
        await db.VirtualMachines.Where(v => v.Id == vmId).ExecuteUpdateAsync(u => u.SetProperty(v => v.Incarnation, v => v.Incarnation + 1), ct);
        return await db.VirtualMachines.Where(v => v.Id == vmId).Select(v => v.Incarnation).FirstAsync(ct);
    }

    /// <summary>Bumps the incarnation of every VM in <paramref name="vmIds"/> in one statement (none for an empty list).</summary>
    public static Task<int> BumpIncarnationsAsync(this BackupDbContext db, IReadOnlyCollection<long> vmIds, CancellationToken ct) =>
        vmIds.Count == 0
            ? Task.FromResult(0)
            : db.VirtualMachines.Where(v => vmIds.Contains(v.Id)).ExecuteUpdateAsync(u => u.SetProperty(v => v.Incarnation, v => v.Incarnation + 1), ct);
}
