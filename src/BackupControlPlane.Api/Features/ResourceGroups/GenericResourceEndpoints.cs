using System.Buffers.Text;
using System.Text;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BackupControlPlane.Api.Features.ResourceGroups;

/// <summary>
/// <c>GET /subscriptions/{sub}/resources</c> and <c>…/resourceGroups/{rg}/resources</c>: every slice's resources
/// (<see cref="IGroupResources"/>) as ARM's GenericResource, filtered and paged. The resources come from several
/// tables, so a page is cut in memory, in id order; the <c>$skiptoken</c> is the last id sent (a position, so
/// resources added or removed meanwhile never shift the pages still to come).
/// </summary>
public static class GenericResourceEndpoints
{
    public sealed record ListQuery(
        [FromQuery(Name = "$filter")] string? Filter,
        [FromQuery(Name = "$top")] int? Top,
        [FromQuery(Name = "$expand")] string? Expand,
        [FromQuery(Name = "$skiptoken")] string? SkipToken);

    public static void MapGenericResources(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Resources (resource groups)");
        group.MapGetAtRuntime("/subscriptions/{subscriptionId}/resources", ListInSubscription)
            .WithSummary("Every resource of the subscription as a generic resource ($filter on resourceType, name, substringof, location, tagName/tagValue; $top).");
        group.MapGetAtRuntime(ResourceGroupEndpoints.Group + "/resources", ListInGroup)
            .WithSummary("Every resource of the group as a generic resource (same $filter and $top).");
    }

    private static Task<Ok<ArmList<GenericResource>>> ListInSubscription(string subscriptionId, [AsParameters] ListQuery query,
        IEnumerable<IGroupResources> owners, HttpContext http, CancellationToken ct) =>
        ListAsync(subscriptionId, null, query, owners, http, ct);

    private static async Task<Ok<ArmList<GenericResource>>> ListInGroup(string subscriptionId, string resourceGroupName, [AsParameters] ListQuery query,
        IEnumerable<IGroupResources> owners, Data.BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        await ResourceGroupEndpoints.FindAsync(db, subscriptionId, resourceGroupName, ct);
        return await ListAsync(subscriptionId, resourceGroupName, query, owners, http, ct);
    }

    private static async Task<Ok<ArmList<GenericResource>>> ListAsync(string subscriptionId, string? resourceGroup, ListQuery query,
        IEnumerable<IGroupResources> owners, HttpContext http, CancellationToken ct)
    {
        var expand = Expansions(query.Expand);
        var filter = ResourceFilter.Parse(query.Filter, tagsOnly: false);
        var pageSize = PageSize(http, query.Top);
        var after = query.SkipToken is null ? null : DecodeToken(query.SkipToken);
        var all = new List<GenericResource>();
        foreach (var owner in owners) all.AddRange(await owner.ListAsync(subscriptionId, resourceGroup ?? filter.ResourceGroup, ct));
        var rows = all.Where(filter.Matches).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase)
            .Where(r => after is null || StringComparer.OrdinalIgnoreCase.Compare(r.Id, after) > 0).Take(pageSize + 1).ToList();
        string? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(rows.Count - 1);
            next = ArmPaging.NextLink(http, http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(rows[^1].Id)));
        }
        return TypedResults.Ok(new ArmList<GenericResource>(rows.Select(r => r with
        {
            CreatedTime = expand.Contains("createdTime") ? r.CreatedTime : null,
            ChangedTime = expand.Contains("changedTime") ? r.ChangedTime ?? r.CreatedTime : null,
            ProvisioningState = expand.Contains("provisioningState") ? r.ProvisioningState ?? "Succeeded" : null,
        }).ToList(), next));
    }

    /// <summary>ARM's $expand on resource lists: createdTime, changedTime and provisioningState (comma-separated); anything else refused by name.</summary>
    private static HashSet<string> Expansions(string? expand)
    {
        var known = new[] { "createdTime", "changedTime", "provisioningState" };
        var asked = new HashSet<string>();
        foreach (var part in (expand ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            asked.Add(known.FirstOrDefault(k => k.Equals(part, StringComparison.OrdinalIgnoreCase))
                ?? throw ArmException.BadRequest($"The $expand '{part}' is not supported; resource lists expand createdTime, changedTime and provisioningState.", "InvalidExpandQueryString"));
        return asked;
    }

    /// <summary>$top is the page size, as ARM reads it (the rest follows through nextLink); at most Emulator:PageSize.</summary>
    internal static int PageSize(HttpContext http, int? top)
    {
        var max = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.PageSize;
        if (top is null) return max;
        if (top < 1) throw ArmException.BadRequest($"The $top '{top}' must be a positive number.", "InvalidQueryParameterValue");
        return Math.Min(top.Value, max);
    }

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw ArmException.BadRequest("The $skiptoken is not one this service wrote; follow the nextLink of the previous page.", "InvalidSkipToken");
        }
    }
}
