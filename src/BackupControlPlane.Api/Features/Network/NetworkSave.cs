using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

public static class NetworkSave
{
    /// <summary>
    /// Saves; a unique key or foreign key lost to a concurrent request (the same name created, an address taken, a
    /// referenced resource deleted meanwhile) answers 409 to retry, never 500.
    /// </summary>
    public static async Task SaveAsync(BackupDbContext db, string what, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            throw new ArmException(409, "Conflict", $"A concurrent request changed what the {what} refers to; retry.");
        }
    }
}
