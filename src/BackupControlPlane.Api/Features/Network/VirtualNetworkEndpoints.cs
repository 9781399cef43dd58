using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// Virtual networks with their address space and subnets. A PUT replaces the subnet list, as Azure does (a subnet left
/// out is deleted, so one with NICs in it is refused with <c>InUseSubnetCannotBeDeleted</c>).
/// </summary>
public static class VirtualNetworkEndpoints
{
    public const string Route = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks";

    public static void MapVirtualNetworks(this RouteGroupBuilder group)
    {
        group.MapPut(Route + "/{virtualNetworkName}", Put).Produces<VirtualNetworkResource>(StatusCodes.Status201Created).WithSummary("Create or replace a virtual network with its address space and subnets.");
        group.MapGet(Route + "/{virtualNetworkName}", Get);
        group.MapDelete(Route + "/{virtualNetworkName}", Delete).WithSummary("Delete a virtual network; one with NICs in a subnet answers InUseSubnetCannotBeDeleted.");
        group.MapGet(Route, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.Network/virtualNetworks", ListInSubscription);
    }

    private static async Task<Results<Ok<VirtualNetworkResource>, JsonHttpResult<VirtualNetworkResource>>> Put(string subscriptionId, string resourceGroupName,
        string virtualNetworkName, JsonObject? body, BackupDbContext db, NetworkDeletion deletion, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(virtualNetworkName, "virtual network");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        NetworkRequest.Check(body, VirtualNetworkRules.VirtualNetwork);
        var location = NetworkRequest.Location(body!);
        var space = VirtualNetworkRules.AddressSpace(body!);
        var requested = (body!["properties"]?["subnets"] as JsonArray ?? []).Select((s, i) => (
            Name: NetworkRequest.Text(s!["name"]) ?? throw ArmException.BadRequest($"'properties.subnets[{i}].name' is required.", "InvalidRequestFormat"),
            Prefix: NetworkRequest.Text(s["properties"]?["addressPrefix"]), Index: i)).ToList();
        foreach (var s in requested) ArmLookups.RequireName(s.Name, "subnet");
        if (requested.Select(s => s.Name.ToLowerInvariant()).Distinct().Count() != requested.Count)
            throw ArmException.BadRequest("Subnet names must be unique within the virtual network.", "DuplicateResourceName");
        foreach (var s in requested)
            VirtualNetworkRules.SubnetPrefix(virtualNetworkName, s.Name, s.Prefix, $"properties.subnets[{s.Index}].properties.addressPrefix", space,
                requested.Select(r => (r.Name, r.Prefix ?? "")));

        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, virtualNetworkName);
        var vnet = await db.VirtualNetworks.Include(v => v.Subnets).FirstOrDefaultAsync(v => v.Key == key, ct);
        var created = vnet is null;
        if (vnet is null)
        {
            vnet = new VirtualNetwork
            {
                ResourceGuid = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = virtualNetworkName, Key = key,
                Location = location, AddressPrefixesJson = "[]", CreatedAt = time.GetUtcNow(),
            };
            db.VirtualNetworks.Add(vnet);
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, time.GetUtcNow(), ct);
        }
        else if (vnet.Location != location)
            throw ArmException.BadRequest($"The virtual network {virtualNetworkName} is in {vnet.Location}; it cannot move to {location}.", "InvalidResourceLocation");
        foreach (var old in vnet.Subnets.ToList())
        {
            var kept = requested.FirstOrDefault(r => r.Name.Equals(old.Name, StringComparison.OrdinalIgnoreCase));
            if (kept.Name is null)
            {
                await deletion.RefuseInUseAsync(vnet, old, ct);
                vnet.Subnets.Remove(old);
                db.Subnets.Remove(old);
            }
            else if (kept.Prefix != old.AddressPrefix)
            {
                await deletion.RefuseInUseAsync(vnet, old, ct, "InUseSubnetCannotBeUpdated");
                old.AddressPrefix = kept.Prefix!;
            }
        }
        foreach (var s in requested.Where(r => !vnet.Subnets.Any(o => o.Name.Equals(r.Name, StringComparison.OrdinalIgnoreCase))))
            vnet.Subnets.Add(new Subnet { Name = s.Name, AddressPrefix = s.Prefix! });
        vnet.AddressPrefixesJson = JsonSerializer.Serialize(space.Select(p => $"{IpAddressing.Format(p.Network)}/{p.Length}"));
        vnet.TagsJson = NetworkRequest.Tags(body);
        await NetworkSave.SaveAsync(db, $"virtual network '{virtualNetworkName}'", ct);
        var resource = NetworkMapper.ToResource(vnet, await NetworkMapper.IpConfigurationsBySubnetAsync(db, vnet.Subnets.Select(s => s.Id).ToList(), ct));
        return created ? TypedResults.Json(resource, statusCode: StatusCodes.Status201Created) : TypedResults.Ok(resource);
    }

    private static async Task<Ok<VirtualNetworkResource>> Get(string subscriptionId, string resourceGroupName, string virtualNetworkName, BackupDbContext db, CancellationToken ct)
    {
        var vnet = await FindAsync(db, subscriptionId, resourceGroupName, virtualNetworkName, ct);
        return TypedResults.Ok(NetworkMapper.ToResource(vnet, await NetworkMapper.IpConfigurationsBySubnetAsync(db, vnet.Subnets.Select(s => s.Id).ToList(), ct)));
    }

    public static async Task<VirtualNetwork> FindAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        return await db.VirtualNetworks.Include(v => v.Subnets).FirstOrDefaultAsync(v => v.Key == key, ct)
            ?? throw NetworkRequest.NotFound(ArmResourceIds.VirtualNetworksType, rg, name);
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string virtualNetworkName,
        NetworkDeletion deletion, CancellationToken ct) =>
        await deletion.DeleteVnetAsync(subscriptionId, resourceGroupName, virtualNetworkName, ct) ? TypedResults.Ok() : TypedResults.NoContent();

    private static Task<Ok<ArmList<VirtualNetworkResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, http, ct);

    private static Task<Ok<ArmList<VirtualNetworkResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(subscriptionId.ToLowerInvariant() + "/", db, http, ct);

    private static async Task<Ok<ArmList<VirtualNetworkResource>>> List(string prefix, BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        var page = await db.VirtualNetworks.AsNoTracking().Include(v => v.Subnets).Where(v => v.Key.StartsWith(prefix)).PageAsync(http, v => v.Key, descending: false, ct);
        var users = await NetworkMapper.IpConfigurationsBySubnetAsync(db, page.Rows.SelectMany(v => v.Subnets).Select(s => s.Id).ToList(), ct);
        return TypedResults.Ok(page.ToArmList(v => NetworkMapper.ToResource(v, users)));
    }
}
