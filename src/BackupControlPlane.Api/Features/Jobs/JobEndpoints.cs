using System.Globalization;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Vaults;
using BackupControlPlane.Api.Features.VirtualMachines;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Jobs;

public static class JobEndpoints
{
    private const string V = ArmRoutes.Vault;

    public static void MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Backup jobs and operations");
        group.MapGet(V + "/backupJobs", List).CachedRead().WithSummary("List jobs, newest first; $filter as the az CLI writes it (status, operation, startTime, endTime). Without extendedInfo, as Azure: GET one job for its tasks and property bag.");
        group.MapGet(V + "/backupJobs/{jobName}", Get).WithSummary("One job, with extendedInfo (its tasks and property bag).");
        group.MapGet(V + "/backupJobs/{jobName}/operationResults/{operationId}", CancelResult);
        group.MapGet(V + "/backupOperations/{operationId}", OperationStatus);
        group.MapGet(V + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{protectedItemName}/operationsStatus/{operationId}", OperationStatusOfItem);
        group.MapGet(V + "/backupOperationResults/{operationId}", OperationResult);
        group.MapGet(V + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{protectedItemName}/operationResults/{operationId}", OperationResultOfItem);
    }

    private static async Task<Ok<ArmList<JobResource>>> List(string subscriptionId, string resourceGroupName, string vaultName,
        BackupDbContext db, TimeProvider time, HttpContext http, CancellationToken ct, [FromQuery(Name = "$filter")] string? filter = null)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        // Jobs of the vault's own region; a cross-region restore's job is listed in the secondary region (backupCrrJobs).
        var query = Filtered(db.BackupJobs.AsNoTracking().Where(j => j.VaultId == vault.Id && j.Region == null), filter);
        // Newest first; jobs started at the same instant (a slot's fan-out) in a fixed order, so pages never overlap.
        var page = await query.PageAsync(http, j => j.StartTime, descending: true, ct, tieBreak: j => j.Id);
        var vaultId = ArmLookups.VaultId(vault);
        var now = time.GetUtcNow();
        return TypedResults.Ok(page.ToArmList(j => JobMapper.ToResource(vaultId, j, now, details: false)));
    }

    /// <summary>The jobs matching Azure's $filter, as the az CLI writes it.</summary>
    public static IQueryable<BackupJob> Filtered(IQueryable<BackupJob> query, string? filter)
    {
        foreach (var (key, value) in ODataFilter.Parse(filter))
        {
            switch (key.ToLowerInvariant())
            {
                case "status": query = query.Where(j => j.Status == value); break;
                case "operation": query = query.Where(j => j.Operation == value); break;
                case "backupmanagementtype" or "jobtype": break; // every job here is an AzureIaasVM job
                case "starttime": var from = ODataFilter.ParseDate(value); query = query.Where(j => j.StartTime >= from); break;
                case "endtime": var to = ODataFilter.ParseDate(value); query = query.Where(j => j.StartTime <= to); break;
                default: throw ArmException.BadRequest($"Unsupported $filter key '{key}' on backupJobs: use status, operation, startTime, endTime or backupManagementType.");
            }
        }
        return query;
    }

    private static async Task<Ok<JobResource>> Get(string subscriptionId, string resourceGroupName, string vaultName, string jobName,
        BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultForReadAsync(db, subscriptionId, resourceGroupName, vaultName, ct);
        var job = Guid.TryParse(jobName, out var id) ? await db.BackupJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.VaultId == vault.Id && j.Region == null, ct) : null;
        if (job is null) throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/backupJobs/{jobName}");
        return TypedResults.Ok(JobMapper.ToResource(ArmLookups.VaultId(vault), job, time.GetUtcNow(), details: true));
    }

    private static Task<IResult> CancelResult(string subscriptionId, string resourceGroupName, string vaultName, string jobName, string operationId,
        BackupDbContext db, HttpContext http, CancellationToken ct) =>
        OperationResult(subscriptionId, resourceGroupName, vaultName, operationId, db, http, ct);

    private static async Task<Ok<OperationStatusResource>> OperationStatus(string subscriptionId, string resourceGroupName, string vaultName, string operationId,
        BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(JobMapper.ToOperationStatus(await FindOperation(db, subscriptionId, resourceGroupName, vaultName, operationId, ct)));

    /// <summary>Operations are the vault's; the item's names in the polling URL only say where it was started from.</summary>
    private static Task<Ok<OperationStatusResource>> OperationStatusOfItem([AsParameters] ItemRoute route, string operationId, BackupDbContext db, CancellationToken ct) =>
        OperationStatus(route.SubscriptionId, route.ResourceGroupName, route.VaultName, operationId, db, ct);

    /// <summary>The Location URL: 202 while running, then 204 (the final resource is read with a GET, as the clients do).</summary>
    private static async Task<IResult> OperationResult(string subscriptionId, string resourceGroupName, string vaultName, string operationId,
        BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        var op = await FindOperation(db, subscriptionId, resourceGroupName, vaultName, operationId, ct);
        return ResultOf(op, http, TypedResults.NoContent());
    }

    /// <summary>An operation's Location answer: 202 (polling here again) while it runs, its error once failed, else <paramref name="done"/>.</summary>
    public static IResult ResultOf(AsyncOperation op, HttpContext http, IResult done)
    {
        if (op.Status == OperationStatuses.InProgress)
        {
            http.Response.Headers.Location = http.Request.Path + http.Request.QueryString;
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Accepted((string?)null);
        }
        if (op.Status == OperationStatuses.Failed)
            return ArmResults.Error(400, op.ErrorCode ?? "OperationFailed", op.ErrorMessage ?? "The operation failed.");
        return done;
    }

    private static Task<IResult> OperationResultOfItem([AsParameters] ItemRoute route, string operationId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        OperationResult(route.SubscriptionId, route.ResourceGroupName, route.VaultName, operationId, db, http, ct);

    private static async Task<AsyncOperation> FindOperation(BackupDbContext db, string sub, string rg, string vaultName, string operationId, CancellationToken ct)
    {
        var vault = await ArmLookups.FindVaultAsync(db, sub, rg, vaultName, ct);
        var op = Guid.TryParse(operationId, out var id) ? await db.AsyncOperations.FirstOrDefaultAsync(o => o.Id == id && o.VaultId == vault.Id, ct) : null;
        return op ?? throw ArmException.NotFound($"{ArmLookups.VaultId(vault)}/backupOperations/{operationId}");
    }
}

/// <summary>The OData subset the az CLI writes: <c>key eq 'value'</c> clauses joined by <c>and</c>.</summary>
public static class ODataFilter
{
    public static IEnumerable<(string Key, string Value)> Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) yield break;
        foreach (var clause in System.Text.RegularExpressions.Regex.Split(filter.Trim(), @"\s+and\s+", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            var m = System.Text.RegularExpressions.Regex.Match(clause.Trim(), @"^(\w+)\s+eq\s+'([^']*)'$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (!m.Success) throw ArmException.BadRequest($"The $filter clause '{clause.Trim()}' is not understood; write clauses as key eq 'value' joined by 'and'.");
            yield return (m.Groups[1].Value, m.Groups[2].Value);
        }
    }

    private static readonly string[] Formats = ["yyyy-MM-dd hh:mm:ss tt", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-dd"];

    /// <summary>Dates as the CLI writes them ('2024-05-01 01:00:00 PM', UTC), or ISO 8601.</summary>
    public static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : throw ArmException.BadRequest($"The date '{value}' in $filter is not understood; use 'yyyy-MM-dd hh:mm:ss AM' as the az CLI does.");
}
