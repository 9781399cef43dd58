using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Features.Jobs;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.Emulator;

public static class EmulatorEndpoints
{
    public sealed record RunDueResult(DateTimeOffset Until, IReadOnlyList<RunDueSlot> Slots, bool AllSlotsFinished, IReadOnlyList<JobResource> Jobs);

    public sealed record RunDueSlot(string Vault, string Policy, DateTimeOffset SlotTime, string HangfireJobId);

    public sealed record Subscription(string Id, string SubscriptionId, string TenantId, string DisplayName, string State);

    public static void MapEmulator(this IEndpointRouteBuilder app)
    {
        app.MapPostAtRuntime("/emulator/scheduler/run-due", RunDue).WithTags("Emulator control").AddEndpointFilter(AgentEndpoints.LocalOnly)
            .WithSummary("Run now every scheduled backup due by 'until' (default: now + 1 day), through the same Hangfire job as at its time; optionally only one resource group's or vault's.");
        app.MapPost("/emulator/maintenance/run", RunMaintenance).WithTags("Emulator control").AddEndpointFilter(AgentEndpoints.LocalOnly)
            .WithSummary("Run now what the recurring Hangfire jobs run: the watchdog (task timeouts, unacknowledged leases, stalled transfers), the daily retention run with its orphan clean-up, and the check of recovery points against blob storage.");
        app.MapReset();
        app.MapArm().MapGet("/subscriptions", (IOptions<EmulatorOptions> o) => TypedResults.Ok(new ArmList<Subscription>(
            [new Subscription($"/subscriptions/{o.Value.DefaultSubscriptionId}", o.Value.DefaultSubscriptionId, o.Value.TenantId, "BackupControlPlane emulator", "Enabled")])))
            .WithTags("Subscriptions");
        // Any subscription id is accepted on first use (the ARM group refuses one that is not a GUID).
        app.MapArm().MapGet("/subscriptions/{subscriptionId}", (string subscriptionId, IOptions<EmulatorOptions> o) =>
                TypedResults.Ok(new Subscription($"/subscriptions/{subscriptionId}", subscriptionId, o.Value.TenantId,
                    subscriptionId.Equals(o.Value.DefaultSubscriptionId, StringComparison.OrdinalIgnoreCase) ? "BackupControlPlane emulator" : "BackupControlPlane " + subscriptionId, "Enabled")))
            .WithTags("Subscriptions");
    }

    public sealed record MaintenanceResult(int TasksTimedOut, int TasksOfferedAgain, int TransfersQueuedAgain, Backups.RetentionPruner.Result Retention, Backups.RecoveryPointAudit.Result Audit);

    /// <summary>The recurring jobs, now, in the order they keep things tidy.</summary>
    private static async Task<Ok<MaintenanceResult>> RunMaintenance(Backups.BackupWatchdog watchdog, Backups.RetentionPruner retention,
        Backups.RecoveryPointAudit audit, CancellationToken ct)
    {
        var (timedOut, offered, transfers) = await watchdog.RunAsync(ct);
        return TypedResults.Ok(new MaintenanceResult(timedOut, offered, transfers, await retention.RunAsync(ct), await audit.RunAsync(ct)));
    }

    private static async Task<IResult> RunDue(BackupScheduler scheduler, BackupDbContext db, TimeProvider time, IOptions<EmulatorOptions> options,
        CancellationToken ct, DateTimeOffset? until = null, string? resourceGroup = null, string? vaultName = null)
    {
        var now = time.GetUtcNow();
        var limit = until ?? now.AddDays(1);
        var slots = await scheduler.RunDueAsync(limit, resourceGroup, vaultName, ct);
        var finished = true;
        if (slots.Count > 0)
        {
            // The slot jobs are short (they issue tasks and return); wait for them so the answer can list the backups.
            var all = Task.WhenAll(slots.Select(s => s.Finished));
            finished = await Task.WhenAny(all, Task.Delay(options.Value.RunDueWait, ct)) == all;
        }
        var policyIds = slots.Select(s => s.PolicyId).ToList();
        var slotTimes = slots.Select(s => s.SlotUtc).ToList();
        var policies = await db.BackupPolicies.Include(p => p.Vault).Where(p => policyIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var jobs = await db.BackupJobs.Where(j => j.ScheduledSlotUtc != null && slotTimes.Contains(j.ScheduledSlotUtc.Value)
                && db.ProtectedItems.Any(i => i.Id == j.ProtectedItemId && i.PolicyId != null && policyIds.Contains(i.PolicyId.Value)))
            .OrderBy(j => j.StartTime).ToListAsync(ct);
        var vaults = policies.Values.Select(p => p.Vault!).DistinctBy(v => v.Id).ToDictionary(v => v.Id);
        var result = new RunDueResult(limit,
            slots.Select(s => new RunDueSlot(ArmLookups.VaultId(policies[s.PolicyId].Vault!), s.PolicyName, s.SlotUtc, s.HangfireJobId)).ToList(),
            finished,
            jobs.Select(j => JobMapper.ToResource(ArmLookups.VaultId(vaults[j.VaultId]), j, time.GetUtcNow(), details: true)).ToList());
        return finished ? TypedResults.Ok(result) : TypedResults.Accepted((string?)null, result);
    }
}
