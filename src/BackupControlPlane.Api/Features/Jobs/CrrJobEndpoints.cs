using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Vaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Jobs;

/// <summary>The body of backupCrrJobs and backupCrrJob (CrrJobRequest): the vault's ARM id, and the job's name for one job.</summary>
public sealed record CrrJobRequest(string? ResourceId, string? JobName);

/// <summary>
/// The secondary region's jobs and operations (cross-region restore, the passive-stamp routes under
/// <c>/subscriptions/{s}/providers/Microsoft.RecoveryServices/locations/{region}</c>): the vault is named in the body,
/// and only jobs that ran in that region are found here; the vault's own job list never shows them.
/// </summary>
public static class CrrJobEndpoints
{
    private const string Location = "/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{azureRegion}";

    public static void MapCrrJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Cross-region restore");
        group.MapPost(Location + "/backupCrrJobs", List)
            .WithSummary("List a vault's jobs in its secondary region (cross-region restores), newest first; $filter as backupJobs; without extendedInfo, as Azure.");
        group.MapPost(Location + "/backupCrrJob", Get).WithSummary("One job of a vault in its secondary region, with extendedInfo.");
        group.MapGet(Location + "/backupCrrOperationsStatus/{operationId}", OperationStatus);
        group.MapGet(Location + "/backupCrrOperationResults/{operationId}", OperationResult);
    }

    private static async Task<Ok<ArmList<JobResource>>> List(string subscriptionId, string azureRegion, CrrJobRequest? body,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct, [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await VaultOf(db, subscriptionId, azureRegion, body, ct);
        var query = JobEndpoints.Filtered(db.BackupJobs.AsNoTracking().Where(j => j.VaultId == vault.Id && j.Region == azureRegion.ToLower()), filter);
        var page = await query.PageAsync(http, j => j.StartTime, descending: true, ct, tieBreak: j => j.Id);
        var vaultId = ArmLookups.VaultId(vault);
        var now = time.GetUtcNow();
        return TypedResults.Ok(page.ToArmList(j => JobMapper.ToResource(vaultId, j, now, details: false)));
    }

    private static async Task<Ok<JobResource>> Get(string subscriptionId, string azureRegion, CrrJobRequest? body,
        BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var vault = await VaultOf(db, subscriptionId, azureRegion, body, ct);
        var name = body?.JobName is { Length: > 0 } n ? n : throw ArmException.BadRequest("jobName is required: the name of the job in the secondary region.");
        var region = azureRegion.ToLowerInvariant();
        var job = Guid.TryParse(name, out var id)
            ? await db.BackupJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.VaultId == vault.Id && j.Region == region, ct)
            : null;
        if (job is null) throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/backupJobs/{name} (in region {azureRegion})");
        return TypedResults.Ok(JobMapper.ToResource(ArmLookups.VaultId(vault), job, time.GetUtcNow(), details: true));
    }

    private static async Task<Ok<OperationStatusResource>> OperationStatus(string subscriptionId, string azureRegion, string operationId,
        BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(JobMapper.ToOperationStatus(await FindOperation(db, subscriptionId, azureRegion, operationId, ct)));

    /// <summary>202 while running, then 200 (the restore has no resource to return), or the failure.</summary>
    private static async Task<IResult> OperationResult(string subscriptionId, string azureRegion, string operationId, BackupDbContext db,
        HttpContext http, CancellationToken ct)
    {
        return JobEndpoints.ResultOf(await FindOperation(db, subscriptionId, azureRegion, operationId, ct), http, TypedResults.Ok());
    }

    /// <summary>An operation of this subscription whose job runs in <paramref name="azureRegion"/>, or 404.</summary>
    private static async Task<AsyncOperation> FindOperation(BackupDbContext db, string subscriptionId, string azureRegion, string operationId, CancellationToken ct)
    {
        var region = azureRegion.ToLowerInvariant();
        var sub = subscriptionId.ToLowerInvariant();
        var op = Guid.TryParse(operationId, out var id)
            ? await db.AsyncOperations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id
                && db.BackupJobs.Any(j => j.Id == o.JobId && j.Region == region)
                && db.Vaults.Any(v => v.Id == o.VaultId && v.SubscriptionId.ToLower() == sub), ct)
            : null;
        return op ?? throw ArmException.NotFound($"/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/locations/{azureRegion}/backupCrrOperationsStatus/{operationId}");
    }

    /// <summary>The vault the body names, in this subscription, whose secondary region is <paramref name="azureRegion"/>.</summary>
    private static async Task<Vault> VaultOf(BackupDbContext db, string subscriptionId, string azureRegion, CrrJobRequest? body, CancellationToken ct)
    {
        var id = ArmResourceIds.Parse(body?.ResourceId, "Microsoft.RecoveryServices/vaults")
            ?? throw ArmException.BadRequest($"resourceId '{body?.ResourceId}' is not a Recovery Services vault id " +
                "(/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}).");
        if (!id.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"resourceId names subscription {id.SubscriptionId}, not the subscription of the URL ({subscriptionId}).");
        var vault = await ArmLookups.FindVaultForReadAsync(db, id.SubscriptionId, id.ResourceGroup, id.Name, ct);
        var secondary = SecondaryRegion.Of(vault);
        if (!secondary.Equals(azureRegion, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"Region '{azureRegion}' is not the secondary region of vault '{vault.Name}' ({vault.Location}); its paired region is '{secondary}'.",
                SecondaryRegion.NotAvailableCode);
        return vault;
    }
}
