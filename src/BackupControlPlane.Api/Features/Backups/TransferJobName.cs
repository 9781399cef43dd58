using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Backups;

/// <summary>"Transfer data to vault · VM vm1 · vault v1 (rg1) · backup job 1b2c…" in the Hangfire dashboard.</summary>
public sealed class TransferJobNameAttribute() : DashboardJobNameAttribute("Transfer data to vault (task {0})")
{
    protected override string? Describe(BackupDbContext db, IReadOnlyList<object?> args)
    {
        if (args is not [Guid taskId, ..]) return null;
        var found = db.AgentTasks.AsNoTracking().Where(t => t.Id == taskId)
            .Select(t => new { Vm = t.VirtualMachine!.Name, t.JobId, Vault = db.ProtectedItems.Where(i => i.Id == t.ProtectedItemId).Select(i => i.Vault).FirstOrDefault() })
            .FirstOrDefault();
        return found is null ? null : $"Transfer data to vault · VM {found.Vm} · vault {found.Vault?.Name} ({found.Vault?.ResourceGroup}) · backup job {found.JobId}";
    }
}
