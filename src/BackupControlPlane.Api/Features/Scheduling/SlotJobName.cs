using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Scheduling;

/// <summary>
/// "Backup slot 2026-12-02 19:00 UTC · policy DefaultPolicy (daily 19:00 UTC) · vault v1 (rg1) · vm1, vm2": the
/// Scheduled page lists each policy's next slot under this name, so it is where a policy's schedule shows in Hangfire.
/// </summary>
public sealed class SlotJobNameAttribute() : DashboardJobNameAttribute("Backup slot {1:yyyy-MM-dd HH:mm} UTC of policy #{0}")
{
    protected override string? Describe(BackupDbContext db, IReadOnlyList<object?> args)
    {
        if (args is not [long policyId, DateTime slot, ..]) return null;
        var policy = db.BackupPolicies.AsNoTracking().Include(p => p.Vault).FirstOrDefault(p => p.Id == policyId);
        if (policy is null) return null;
        var vms = db.ProtectedItems.AsNoTracking().Where(i => i.PolicyId == policyId).OrderBy(i => i.Id)
            .Select(i => i.VirtualMachine!.Name).ToList();
        return $"Backup slot {slot:yyyy-MM-dd HH:mm} UTC · policy {policy.Name} ({Describe(policy)}) · vault {policy.Vault!.Name} ({policy.Vault.ResourceGroup}) · {Names(vms)}";
    }

    /// <summary>"daily 19:00 UTC", "weekly Monday, Friday 02:00 Pacific Standard Time".</summary>
    public static string Describe(BackupPolicy policy)
    {
        var zone = string.IsNullOrEmpty(policy.TimeZone) ? "UTC" : policy.TimeZone;
        var days = PolicySchedule.RunDays(policy);
        var times = string.Join(", ", PolicySchedule.RunTimes(policy).Select(t => t.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        return days.Count == 0 ? $"daily {times} {zone}" : $"weekly {string.Join(", ", days)} {times} {zone}";
    }
}
