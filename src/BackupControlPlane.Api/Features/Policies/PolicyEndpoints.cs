using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Scheduling;
using BackupControlPlane.Api.Features.Vaults;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Policies;

public static class PolicyEndpoints
{
    private const string Route = ArmRoutes.Vault + "/backupPolicies";
    private const int MaxPoliciesPerVault = 200;

    public static void MapPolicies(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Backup policies");
        group.MapGet(Route, List);
        group.MapGet(Route + "/{policyName}", Get);
        group.MapPut(Route + "/{policyName}", Put).InOneTransaction()
            .WithSummary("Create or edit a policy (SimpleSchedulePolicy daily/weekly, LongTermRetentionPolicy); editing re-plans the items' future backups.");
        group.MapDelete(Route + "/{policyName}", Delete).InOneTransaction().WithSummary("Delete a policy no item uses.");
    }

    private static async Task<Ok<ArmList<PolicyResource>>> List(string subscriptionId, string resourceGroupName, string vaultName, BackupDbContext db,
        HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var page = await db.BackupPolicies.AsNoTracking().Where(p => p.VaultId == vault.Id).PageAsync(http, p => p.Name, descending: false, ct);
        var counts = await ProtectedCounts(db, vault.Id, ct);
        return TypedResults.Ok(page.ToArmList(p => ToResource(vault, p, counts.GetValueOrDefault(p.Id))));
    }

    private static async Task<Ok<PolicyResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, string policyName, BackupDbContext db,
        HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var policy = await ArmLookups.FindPolicyAsync(db, vault, policyName, ct);
        ArmPreconditions.SetETag(http, policy.ETag);
        var counts = await ProtectedCounts(db, vault.Id, ct);
        return TypedResults.Ok(ToResource(vault, policy, counts.GetValueOrDefault(policy.Id)));
    }

    private static async Task<Ok<PolicyResource>> Put(string subscriptionId, string resourceGroupName, string vaultName, string policyName, PolicyRequest? body,
        BackupDbContext db, BackupScheduler scheduler, IBackgroundJobClient jobs, HttpContext http, CancellationToken ct)
    {
        ArmLookups.RequireName(policyName, "policy");
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var valid = PolicyValidator.Validate(body?.Properties);
        var policies = await db.BackupPolicies.Where(p => p.VaultId == vault.Id).ToListAsync(ct);
        var policy = policies.FirstOrDefault(p => p.Name.Equals(policyName, StringComparison.OrdinalIgnoreCase));
        ArmPreconditions.Check(http, policy?.ETag, $"the policy '{policyName}'");
        if (policy is null)
        {
            if (policies.Count >= MaxPoliciesPerVault)
                throw ArmException.BadRequest($"A vault holds at most {MaxPoliciesPerVault} policies.", PolicyValidator.ErrorCode);
            policy = new BackupPolicy { VaultId = vault.Id, Name = policyName, ScheduleRunFrequency = "", ScheduleRunTimes = "[]", TimeZone = "UTC" };
            db.BackupPolicies.Add(policy);
        }
        // Only immutability is read here; the soft-delete default does not matter.
        else
        {
            ImmutableRetention.Check(VaultSettings.Of(vault, defaultSoftDeleteDays: 0), policy, valid);
            EnhancedPolicyStore.CheckTypeKept(policy, valid.Enhanced);
        }
        policy.ScheduleRunFrequency = valid.Frequency;
        policy.ScheduleRunTimes = JsonSerializer.Serialize(valid.RunTimes);
        policy.ScheduleRunDays = string.Join(',', valid.RunDays);
        policy.TimeZone = valid.TimeZone;
        policy.InstantRpRetentionRangeInDays = valid.InstantRpDays;
        policy.DailyRetentionDays = valid.DailyDays;
        policy.RetentionJson = RetentionRules.Serialize(valid.Retention);
        EnhancedPolicyStore.Write(policy, valid.Enhanced);
        policy.TieringPolicyJson = TieringPolicyRules.Merge(body!.Properties!.TieringPolicy, valid.Retention, policy.TieringPolicyJson);
        // Re-plan: the slot scheduled under the old schedule never runs; the next one follows the new schedule.
        var stale = policy.NextSlotJobId;
        policy.NextSlotUtc = null;
        policy.NextSlotJobId = null;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.Entry(policy).State == EntityState.Added)
        {
            // The unique (vault, name) index decides a race between two creates of one policy.
            throw new ArmException(409, "Conflict", $"The policy '{policyName}' was created by a concurrent request; read it and retry.");
        }
        if (stale is not null) jobs.Delete(stale);
        if (await db.ProtectedItems.AnyAsync(i => i.PolicyId == policy.Id, ct)) await scheduler.EnsureScheduledAsync(policy.Id, ct);
        var counts = await ProtectedCounts(db, vault.Id, ct);
        ArmPreconditions.SetETag(http, policy.ETag);
        return TypedResults.Ok(ToResource(vault, policy, counts.GetValueOrDefault(policy.Id)));
    }

    private static async Task<IResult> Delete(string subscriptionId, string resourceGroupName, string vaultName, string policyName,
        BackupDbContext db, IBackgroundJobClient jobs, HttpContext http, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var policy = (await db.BackupPolicies.Where(p => p.VaultId == vault.Id).ToListAsync(ct))
            .FirstOrDefault(p => p.Name.Equals(policyName, StringComparison.OrdinalIgnoreCase));
        ArmPreconditions.Check(http, policy?.ETag, $"the policy '{policyName}'");
        if (policy is null) return TypedResults.NoContent();
        var inUse = await db.ProtectedItems.CountAsync(i => i.PolicyId == policy.Id, ct);
        if (inUse > 0)
            throw ArmException.BadRequest($"The policy '{policy.Name}' protects {inUse} item(s); move them to another policy or stop their protection before deleting it.",
                "BMSUserErrorPolicyInUse");
        db.BackupPolicies.Remove(policy);
        await db.SaveChangesAsync(ct);
        if (policy.NextSlotJobId is not null) jobs.Delete(policy.NextSlotJobId);
        return TypedResults.Ok();
    }

    public static async Task<Dictionary<long, int>> ProtectedCounts(BackupDbContext db, long vaultId, CancellationToken ct) =>
        await db.ProtectedItems.Where(i => i.VaultId == vaultId && i.PolicyId != null)
            .GroupBy(i => i.PolicyId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    public static PolicyResource ToResource(Vault vault, BackupPolicy p, int protectedItems)
    {
        var runTimes = JsonSerializer.Deserialize<List<string>>(p.ScheduleRunTimes) ?? [];
        var runDays = p.ScheduleRunDays.Length == 0 ? null : p.ScheduleRunDays.Split(',').ToList();
        return new PolicyResource(
            ArmIds.Policy(ArmLookups.VaultId(vault), p.Name), p.Name, "Microsoft.RecoveryServices/vaults/backupPolicies",
            EnhancedPolicyStore.Read(p, new PolicyProperties("AzureIaasVM", p.TimeZone, p.InstantRpRetentionRangeInDays,
                new SchedulePolicy("SimpleSchedulePolicy", p.ScheduleRunFrequency, runDays, runTimes, 0),
                RetentionRules.Retention(p), protectedItems, TieringPolicy: TieringPolicyRules.ToResource(p))), ArmPreconditions.Format(p.ETag));
    }
}
