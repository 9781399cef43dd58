using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Restore;

/// <summary>"Restore disks · VM vm1 · vault v1 (rg1) → storage account restoresa · job 1b2c…" in the Hangfire dashboard.</summary>
public sealed class RestoreJobNameAttribute() : DashboardJobNameAttribute("Restore disks (job {0})")
{
    protected override string? Describe(BackupDbContext db, IReadOnlyList<object?> args)
    {
        if (args is not [Guid jobId, RestorePlan plan, ..]) return null;
        var job = db.BackupJobs.AsNoTracking().Where(j => j.Id == jobId)
            .Select(j => new { j.EntityFriendlyName, Vault = db.Vaults.FirstOrDefault(v => v.Id == j.VaultId) }).FirstOrDefault();
        return job is null ? null : $"Restore disks · VM {job.EntityFriendlyName} · vault {job.Vault?.Name} ({job.Vault?.ResourceGroup}) → storage account {plan.StorageAccount} · job {jobId}";
    }
}
