using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGuards;

/// <summary>
/// Resource Guards (<c>Microsoft.DataProtection/resourceGuards</c>), the approver's side of multi-user authorization:
/// create, read, tag, delete and list them, and read the request resources (<c>{guard}/{requestType}/default</c>)
/// callers are authorised on. A guard a vault is mapped to is not deleted (its mapping goes first).
/// </summary>
public static class ResourceGuardEndpoints
{
    private const string Guards = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataProtection/resourceGuards";
    private const string Guard = Guards + "/{resourceGuardsName}";

    public static void MapResourceGuardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Resource Guards (multi-user authorization)");
        group.MapPut(Guard, Put).WithSummary("Create or replace a Resource Guard (properties.vaultCriticalOperationExclusionList, description).");
        group.MapPatch(Guard, Patch).WithSummary("Change a Resource Guard's tags.");
        group.MapGet(Guard, Get);
        group.MapDelete(Guard, Delete).InOneTransaction().WithSummary("Delete a Resource Guard no vault is mapped to (409 Conflict while one is).");
        group.MapGet(Guards, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.DataProtection/resourceGuards", ListInSubscription);
        group.MapGet(Guard + "/{requestType}", ListRequests).WithSummary("A guard's request resources of one type (only 'default').");
        group.MapGet(Guard + "/{requestType}/{requestName}", GetRequest).WithSummary("The request resource a caller must be authorised on, e.g. disableSoftDeleteRequests/default.");
    }

    private static async Task<Results<Ok<ResourceGuardResource>, JsonHttpResult<ResourceGuardResource>>> Put(string subscriptionId, string resourceGroupName,
        string resourceGuardsName, ResourceGuardRequest? body, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(resourceGuardsName, "resource guard");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        if (body?.Location is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        UnknownMembers.Refuse("resource guard", "", body.Other, "id", "name", "type", "etag", "systemData");
        UnknownMembers.Refuse("resource guard", "properties.", body.Properties?.Other, "provisioningState", "allowAutoApprovals", "resourceGuardOperations");
        var exclusions = Exclusions(body.Properties?.VaultCriticalOperationExclusionList);
        var now = time.GetUtcNow();
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, resourceGuardsName);
        var guard = await db.ResourceGuards.FirstOrDefaultAsync(g => g.Key == key, ct);
        var created = guard is null;
        if (guard is null)
        {
            guard = new ResourceGuard
            {
                SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = resourceGuardsName, Key = key,
                Location = ImplicitResourceGroups.Region(location), CreatedAt = now,
            };
            db.ResourceGuards.Add(guard);
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, now, ct);
        }
        else if (!guard.Location.Equals(ImplicitResourceGroups.Region(location), StringComparison.OrdinalIgnoreCase))
            throw new ArmException(409, "InvalidResourceLocation", $"The resource guard '{resourceGuardsName}' exists in '{guard.Location}'; it cannot move to '{location}'.");
        guard.TagsJson = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags);
        guard.Description = body.Properties?.Description;
        guard.ExclusionListJson = JsonSerializer.Serialize(exclusions);
        guard.ModifiedAt = now;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            throw new ArmException(409, "Conflict", $"The resource guard '{resourceGuardsName}' was created by a concurrent request.");
        }
        var resource = ResourceGuardMapper.ToResource(guard);
        return created ? TypedResults.Json(resource, statusCode: StatusCodes.Status201Created) : TypedResults.Ok(resource);
    }

    /// <summary>The exclusion list, each entry one Azure knows; the mandatory operations cannot be excluded.</summary>
    private static List<string> Exclusions(List<string>? list)
    {
        var result = new List<string>();
        foreach (var entry in list ?? [])
        {
            if (GuardOperations.All.FirstOrDefault(o => o.Mandatory && o.VaultCriticalOperation.Equals(entry, StringComparison.OrdinalIgnoreCase)) is { } mandatory)
                throw ArmException.BadRequest($"'properties.vaultCriticalOperationExclusionList' names '{mandatory.VaultCriticalOperation}', which a Resource Guard always protects (disabling soft delete and removing the guard's mapping are mandatory).", "InvalidParameter");
            var known = GuardOperations.Excludable.FirstOrDefault(o => o.Equals(entry, StringComparison.OrdinalIgnoreCase))
                ?? throw ArmException.BadRequest($"'properties.vaultCriticalOperationExclusionList' names '{entry}', which is not a critical operation. Known: {string.Join(", ", GuardOperations.Excludable)}.", "InvalidParameter");
            if (!result.Contains(known)) result.Add(known);
        }
        return result;
    }

    private static async Task<Ok<ResourceGuardResource>> Patch(string subscriptionId, string resourceGroupName, string resourceGuardsName,
        ResourceGuardRequest? body, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        UnknownMembers.Refuse("resource guard", "", body?.Other);
        if (body?.Location is not null || body?.Properties is not null)
            throw ArmException.BadRequest("A Resource Guard's PATCH changes 'tags' only; PUT the guard to change its properties.", "InvalidParameter");
        var guard = await FindAsync(db, subscriptionId, resourceGroupName, resourceGuardsName, ct);
        if (body?.Tags is not null)
        {
            guard.TagsJson = JsonSerializer.Serialize(body.Tags);
            guard.ModifiedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(ResourceGuardMapper.ToResource(guard));
    }

    private static async Task<Ok<ResourceGuardResource>> Get(string subscriptionId, string resourceGroupName, string resourceGuardsName, BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(ResourceGuardMapper.ToResource(await FindAsync(db, subscriptionId, resourceGroupName, resourceGuardsName, ct, tracked: false)));

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string resourceGuardsName, BackupDbContext db, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, resourceGuardsName);
        var guard = await db.ResourceGuards.FirstOrDefaultAsync(g => g.Key == key, ct);
        if (guard is null) return TypedResults.NoContent();
        if (await GuardMappings.MappedVaultAsync(db, guard, ct) is { } vault)
            throw new ArmException(409, "Conflict", $"The resource guard '{resourceGuardsName}' protects the vault '{vault}': remove the vault's Resource Guard mapping (backupResourceGuardProxies/VaultProxy) first.");
        db.ResourceGuards.Remove(guard);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok();
    }

    private static Task<Ok<ArmList<ResourceGuardResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, http, ct);

    private static Task<Ok<ArmList<ResourceGuardResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(subscriptionId.ToLowerInvariant() + "/", db, http, ct);

    private static async Task<Ok<ArmList<ResourceGuardResource>>> List(string prefix, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok((await db.ResourceGuards.AsNoTracking().Where(g => g.Key.StartsWith(prefix)).PageAsync(http, g => g.Key, descending: false, ct))
            .ToArmList(ResourceGuardMapper.ToResource));

    private static async Task<Ok<ArmList<GuardRequestResource>>> ListRequests(string subscriptionId, string resourceGroupName, string resourceGuardsName, string requestType,
        BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new ArmList<GuardRequestResource>([await RequestAsync(db, subscriptionId, resourceGroupName, resourceGuardsName, requestType, "default", ct)]));

    private static async Task<Ok<GuardRequestResource>> GetRequest(string subscriptionId, string resourceGroupName, string resourceGuardsName, string requestType,
        string requestName, BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await RequestAsync(db, subscriptionId, resourceGroupName, resourceGuardsName, requestType, requestName, ct));

    private static async Task<GuardRequestResource> RequestAsync(BackupDbContext db, string sub, string rg, string name, string requestType, string requestName, CancellationToken ct)
    {
        var guard = await FindAsync(db, sub, rg, name, ct, tracked: false);
        var id = ResourceGuardMapper.Id(guard.SubscriptionId, guard.ResourceGroup, guard.Name);
        if (!GuardOperations.IsRequestType(requestType))
            throw ArmException.NotFound($"{id}/{requestType}");
        var type = GuardOperations.CanonicalRequestType(requestType);
        if (!requestName.Equals("default", StringComparison.OrdinalIgnoreCase)) throw ArmException.NotFound($"{id}/{type}/{requestName}");
        return new GuardRequestResource($"{id}/{type}/default", "default", $"{ResourceGuardMapper.Type}/{type}");
    }

    private static async Task<ResourceGuard> FindAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct, bool tracked = true)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        var query = tracked ? db.ResourceGuards : db.ResourceGuards.AsNoTracking();
        return await query.FirstOrDefaultAsync(g => g.Key == key, ct)
            ?? throw new ArmException(404, ArmErrorCodes.ResourceNotFound, $"The Resource '{ResourceGuardMapper.Type}/{name}' under resource group '{rg}' was not found.");
    }
}
