using System.Text.RegularExpressions;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.ResourceGroups;

/// <summary>
/// Resource groups as ARM has them (Microsoft.Resources, 2021-04-01 and the other dated versions): PUT, GET, HEAD,
/// PATCH, list with tag <c>$filter</c>, and DELETE (<see cref="ResourceGroupDeletionEndpoints"/>). Routing matches
/// literal segments case-insensitively, so <c>resourcegroups</c> and <c>resourceGroups</c> both work; names are keys
/// lowercased and echoed as first spelled. Groups also come into being on the first resource PUT into them
/// (<see cref="ImplicitResourceGroups"/>).
/// </summary>
public static partial class ResourceGroupEndpoints
{
    public const string Groups = "/subscriptions/{subscriptionId}/resourcegroups";
    public const string Group = Groups + "/{resourceGroupName}";

    public sealed record ListQuery([FromQuery(Name = "$filter")] string? Filter, [FromQuery(Name = "$top")] int? Top);

    public static void MapResourceGroups(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Resources (resource groups)");
        group.MapPut(Group, Put).Produces<ResourceGroupResource>(StatusCodes.Status201Created).WithSummary("Create a resource group (201) or replace its tags and managedBy (200); location is required and cannot change.");
        group.MapGet(Group, Get);
        group.MapMethods(Group, [HttpMethods.Head], Exists).WithSummary("204 when the group exists, else 404.");
        group.MapPatch(Group, Patch).WithSummary("Replace the tags and/or managedBy of a resource group.");
        group.MapGetAtRuntime(Groups, List).WithSummary("The subscription's resource groups ($filter: tagName eq '…' [and tagValue eq '…']; $top).");
        app.MapResourceGroupDeletion();
    }

    private static async Task<Results<Ok<ResourceGroupResource>, JsonHttpResult<ResourceGroupResource>>> Put(string subscriptionId, string resourceGroupName,
        ResourceGroupRequest? body, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        RequireName(resourceGroupName);
        if (body?.Location is not { Length: > 0 } location)
            throw ArmException.BadRequest("The location property is required for this definition.", "LocationRequired");
        ResourceGroupMapper.RefuseOthers(body.Other, body.Properties);
        var region = ImplicitResourceGroups.Region(location);
        var key = ResourceGroup.KeyOf(subscriptionId, resourceGroupName);
        var existing = await db.ResourceGroups.FirstOrDefaultAsync(g => g.Key == key, ct);
        if (existing is not null)
        {
            if (!existing.Location.Equals(region, StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "InvalidResourceGroupLocation",
                    $"Invalid resource group location '{location}'. The Resource group already exists in location '{existing.Location}'.");
            // A PUT replaces the group's tags and managedBy, as ARM does.
            ResourceGroupMapper.SetTags(existing, body.Tags);
            existing.ManagedBy = body.ManagedBy;
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(ResourceGroupMapper.ToResource(existing));
        }
        var created = new ResourceGroup
        {
            SubscriptionId = subscriptionId, Name = resourceGroupName, Key = key, Location = region, ManagedBy = body.ManagedBy, CreatedAt = time.GetUtcNow(),
        };
        ResourceGroupMapper.SetTags(created, body.Tags);
        db.ResourceGroups.Add(created);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsConflict(e))
        {
            // A concurrent PUT (or a resource's implicit creation) won the unique key: answer as the second PUT would.
            db.ChangeTracker.Clear();
            var winner = await FindAsync(db, subscriptionId, resourceGroupName, ct);
            if (!winner.Location.Equals(region, StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "InvalidResourceGroupLocation",
                    $"Invalid resource group location '{location}'. The Resource group already exists in location '{winner.Location}'.");
            return TypedResults.Ok(ResourceGroupMapper.ToResource(winner));
        }
        return TypedResults.Json(ResourceGroupMapper.ToResource(created), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Ok<ResourceGroupResource>> Get(string subscriptionId, string resourceGroupName, BackupDbContext db, CancellationToken ct) =>
        TypedResults.Ok(ResourceGroupMapper.ToResource(await FindAsync(db, subscriptionId, resourceGroupName, ct, tracked: false)));

    private static async Task<Results<NoContent, NotFound>> Exists(string subscriptionId, string resourceGroupName, BackupDbContext db, CancellationToken ct)
    {
        var key = ResourceGroup.KeyOf(subscriptionId, resourceGroupName);
        return await db.ResourceGroups.AnyAsync(g => g.Key == key, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static async Task<Ok<ResourceGroupResource>> Patch(string subscriptionId, string resourceGroupName, ResourceGroupPatch? body,
        BackupDbContext db, CancellationToken ct)
    {
        if (body is null) throw ArmException.BadRequest("The request body must be a resource group patch: {\"tags\":{…}} and/or {\"managedBy\":\"…\"}.");
        ResourceGroupMapper.RefuseOthers(body.Other, body.Properties);
        var group = await FindAsync(db, subscriptionId, resourceGroupName, ct);
        if (body.Name is not null && !body.Name.Equals(group.Name, StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest($"A resource group cannot be renamed ('{group.Name}' to '{body.Name}').");
        if (body.Tags is not null) ResourceGroupMapper.SetTags(group, body.Tags);
        if (body.ManagedBy is not null) group.ManagedBy = body.ManagedBy;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ResourceGroupMapper.ToResource(group));
    }

    private static async Task<Ok<ArmList<ResourceGroupResource>>> List(string subscriptionId, [AsParameters] ListQuery query, BackupDbContext db,
        HttpContext http, CancellationToken ct)
    {
        var filter = ResourceFilter.Parse(query.Filter, tagsOnly: true);
        var prefix = subscriptionId.ToLowerInvariant() + "/";
        var groups = db.ResourceGroups.AsNoTracking().Where(g => g.Key.StartsWith(prefix));
        if (filter.TagName is { } name)
        {
            var probe = filter.TagValue is { } value ? ResourceGroupTags.PairProbe(name, value) : ResourceGroupTags.NameProbe(name);
            groups = groups.Where(g => g.TagIndex != null && g.TagIndex.Contains(probe));
        }
        var page = await groups.PageAsync(http, g => g.Key, descending: false, ct, pageSize: GenericResourceEndpoints.PageSize(http, query.Top));
        return TypedResults.Ok(page.ToArmList(ResourceGroupMapper.ToResource));
    }

    /// <summary>The group, or ARM's 404 <c>ResourceGroupNotFound</c>.</summary>
    public static async Task<ResourceGroup> FindAsync(BackupDbContext db, string subscriptionId, string resourceGroupName, CancellationToken ct, bool tracked = true)
    {
        var key = ResourceGroup.KeyOf(subscriptionId, resourceGroupName);
        var groups = tracked ? db.ResourceGroups : db.ResourceGroups.AsNoTracking();
        return await groups.FirstOrDefaultAsync(g => g.Key == key, ct)
            ?? throw new ArmException(404, "ResourceGroupNotFound", $"Resource group '{resourceGroupName}' could not be found.");
    }

    /// <summary>ARM's rule: 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.</summary>
    private static void RequireName(string name)
    {
        if (ValidName().IsMatch(name) && !name.EndsWith('.')) return;
        var invalid = string.Concat(name.Where(c => !char.IsLetterOrDigit(c) && c is not ('-' or '_' or '.' or '(' or ')')).Distinct());
        throw ArmException.BadRequest(
            $"The provided resource group name '{(name.Length > 100 ? name[..100] + "…" : name)}' has these invalid characters: '{invalid}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_', of 1 to 90 characters, not ending in '.'.",
            "InvalidResourceGroup");
    }

    [GeneratedRegex(@"^[-\w.()]{1,90}$")]
    private static partial Regex ValidName();
}
