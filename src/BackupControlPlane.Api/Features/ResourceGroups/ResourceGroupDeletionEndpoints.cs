using System.Data;
using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.ResourceGroups;

/// <summary>
/// Resource group DELETE, ARM's long-running way: 202 with <c>Location</c> (and <c>Retry-After</c>), polled at
/// <c>/subscriptions/{sub}/operationresults/{id}</c> to 200, or to the error that blocked it. The work is done in the
/// DELETE itself, all or nothing: every resource owner (<see cref="IGroupResources"/>) is asked for a refusal first
/// (a vault with backup items, a VM protected by a vault elsewhere); one refusal fails the operation with ARM's
/// <c>ResourceGroupDeletionBlocked</c>, the owner's error in its details, and deletes nothing. Otherwise every
/// resource and the group go in one transaction, then their blobs.
/// </summary>
public static class ResourceGroupDeletionEndpoints
{
    private const string OperationResults = "/subscriptions/{subscriptionId}/operationresults/{operationId}";

    /// <remarks>A property, not a positional record: for a constructor's <c>string?</c> parameter the Request Delegate
    /// Generator writes <c>typeof(string?)</c>, which does not compile (CS8639).</remarks>
    public sealed record DeleteQuery
    {
        [FromQuery(Name = "forceDeletionTypes")] public string? ForceDeletionTypes { get; init; }
    }

    public static void MapResourceGroupDeletion(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Resources (resource groups)");
        group.MapDelete(ResourceGroupEndpoints.Group, Delete).LongRunning(asyncOperationHeader: false)
            .WithSummary("Delete a resource group and everything in it (VMs with their disk blobs, vaults, storage accounts): 202, poll Location.");
        group.MapGet(OperationResults, Result).WithSummary("The result of a resource group deletion: 200 when done, else the error that blocked it.");
    }

    private static async Task<IResult> Delete(string subscriptionId, string resourceGroupName, [AsParameters] DeleteQuery query,
        IEnumerable<IGroupResources> owners, BackupDbContext db, TimeProvider time, IOptions<EmulatorOptions> options,
        ILoggerFactory logs, HttpContext http, CancellationToken ct)
    {
        RequireForceDeletionTypes(query.ForceDeletionTypes);
        var now = time.GetUtcNow();
        var operation = new ResourceGroupDeletion
        {
            Id = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, StartTime = now, EndTime = now, Status = OperationStatuses.Succeeded,
        };
        var cleanups = new List<Func<CancellationToken, Task>>();
        await using (var tx = await db.BeginWriteAsync(ct, IsolationLevel.Serializable))
        {
            var group = await ResourceGroupEndpoints.FindAsync(db, subscriptionId, resourceGroupName, ct);
            var refusals = new List<ArmErrorBody>();
            foreach (var owner in owners)
                if (await owner.DeletionRefusalAsync(subscriptionId, group.Name, ct) is { } refusal) refusals.Add(refusal);
            if (refusals.Count > 0)
            {
                operation.Status = OperationStatuses.Failed;
                operation.ErrorStatus = StatusCodes.Status409Conflict;
                operation.ErrorJson = JsonSerializer.Serialize(Blocked(group.Name, refusals), JsonSerializerOptions.Web);
            }
            else
            {
                foreach (var owner in owners)
                    if (await owner.RemoveAsync(subscriptionId, group.Name, ct) is { } cleanup) cleanups.Add(cleanup);
                db.ResourceGroups.Remove(group);
            }
            db.ResourceGroupDeletions.Add(operation);
            var cutoff = now - options.Value.OperationRetention;
            await db.ResourceGroupDeletions.Where(d => d.EndTime < cutoff).ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        // Committed: the blobs go now, whatever the client does meanwhile (an orphan blob is the worst a failure leaves).
        foreach (var cleanup in cleanups)
        {
            try { await cleanup(CancellationToken.None); }
            catch (Exception e) { logs.CreateLogger("ResourceGroups").LogWarning(e, "Resource group {Group}: a blob of a deleted resource could not be deleted", resourceGroupName); }
        }
        return ArmAccepted.Accepted(http, $"/subscriptions/{subscriptionId}/operationresults/{operation.Id:N}", null);
    }

    private static async Task<Results<Ok, JsonHttpResult<ArmErrorResponse>>> Result(string subscriptionId, string operationId, BackupDbContext db, CancellationToken ct)
    {
        var operation = Guid.TryParse(operationId, out var id)
            ? await db.ResourceGroupDeletions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.SubscriptionId == subscriptionId, ct)
            : null;
        if (operation is null) throw ArmException.NotFound($"/subscriptions/{subscriptionId}/operationresults/{operationId}");
        if (operation.ErrorJson is null) return TypedResults.Ok();
        var error = JsonSerializer.Deserialize<ArmErrorBody>(operation.ErrorJson, JsonSerializerOptions.Web)!;
        return TypedResults.Json(new ArmErrorResponse(error), statusCode: operation.ErrorStatus ?? StatusCodes.Status409Conflict);
    }

    /// <summary>ARM's answer when a resource refuses: the group and everything in it stay.</summary>
    private static ArmErrorBody Blocked(string group, List<ArmErrorBody> refusals) => new("ResourceGroupDeletionBlocked",
        $"Deletion of resource group '{group}' failed as resources with identifiers '{string.Join(",", refusals.Select(r => r.Target))}' could not be deleted. " +
        "The provisioning state of the resource group will be rolled back; the details say why each refused.",
        Details: refusals);

    /// <summary>
    /// Azure's forceDeletionTypes: force-delete VMs (no graceful shutdown). An emulated VM is always deleted at once,
    /// so Microsoft.Compute/virtualMachines is what happens anyway; any other type is refused by name.
    /// </summary>
    private static void RequireForceDeletionTypes(string? types)
    {
        if (types is null) return;
        var others = types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(t => !t.Equals("Microsoft.Compute/virtualMachines", StringComparison.OrdinalIgnoreCase)).ToList();
        if (others.Count > 0)
            throw ArmException.BadRequest($"forceDeletionTypes '{string.Join(",", others)}' is not supported by the emulator; only Microsoft.Compute/virtualMachines (deleted at once either way).",
                "InvalidForceDeletionTypes");
    }
}
