using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>Subnets of a virtual network, on their own routes (the VNet's PUT replaces them all).</summary>
public static class SubnetEndpoints
{
    private const string Route = VirtualNetworkEndpoints.Route + "/{virtualNetworkName}/subnets";

    public static void MapSubnets(this RouteGroupBuilder group)
    {
        group.MapPut(Route + "/{subnetName}", Put).Produces<SubnetResource>(StatusCodes.Status201Created).WithSummary("Create a subnet, or change its prefix while no NIC is in it.");
        group.MapGet(Route + "/{subnetName}", Get);
        group.MapDelete(Route + "/{subnetName}", Delete).WithSummary("Delete a subnet; one with NICs in it answers InUseSubnetCannotBeDeleted.");
        group.MapGet(Route, List);
    }

    private static async Task<Results<Ok<SubnetResource>, JsonHttpResult<SubnetResource>>> Put(string subscriptionId, string resourceGroupName,
        string virtualNetworkName, string subnetName, JsonObject? body, BackupDbContext db, NetworkDeletion deletion, CancellationToken ct)
    {
        ArmLookups.RequireName(subnetName, "subnet");
        NetworkRequest.Check(body, VirtualNetworkRules.Subnet);
        var vnet = await VirtualNetworkEndpoints.FindAsync(db, subscriptionId, resourceGroupName, virtualNetworkName, ct);
        var prefix = VirtualNetworkRules.SubnetPrefix(virtualNetworkName, subnetName, NetworkRequest.Text(body!["properties"]?["addressPrefix"]),
            "properties.addressPrefix", VirtualNetworkRules.SpaceOf(vnet), vnet.Subnets.Select(s => (s.Name, s.AddressPrefix)));
        var subnet = vnet.Subnets.FirstOrDefault(s => s.Name.Equals(subnetName, StringComparison.OrdinalIgnoreCase));
        var created = subnet is null;
        if (subnet is null) vnet.Subnets.Add(subnet = new Subnet { Name = subnetName, AddressPrefix = prefix });
        else if (subnet.AddressPrefix != prefix)
        {
            await deletion.RefuseInUseAsync(vnet, subnet, ct, "InUseSubnetCannotBeUpdated");
            subnet.AddressPrefix = prefix;
        }
        await NetworkSave.SaveAsync(db, $"subnet '{subnetName}'", ct);
        var resource = NetworkMapper.ToResource(vnet, subnet, (await NetworkMapper.IpConfigurationsBySubnetAsync(db, [subnet.Id], ct))[subnet.Id]);
        return created ? TypedResults.Json(resource, statusCode: StatusCodes.Status201Created) : TypedResults.Ok(resource);
    }

    private static async Task<Ok<SubnetResource>> Get(string subscriptionId, string resourceGroupName, string virtualNetworkName, string subnetName,
        BackupDbContext db, CancellationToken ct)
    {
        var vnet = await VirtualNetworkEndpoints.FindAsync(db, subscriptionId, resourceGroupName, virtualNetworkName, ct);
        var subnet = vnet.Subnets.FirstOrDefault(s => s.Name.Equals(subnetName, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArmException(404, ArmErrorCodes.NotFound, $"Resource {ArmResourceIds.Subnet(subscriptionId, resourceGroupName, virtualNetworkName, subnetName)} not found.");
        return TypedResults.Ok(NetworkMapper.ToResource(vnet, subnet, (await NetworkMapper.IpConfigurationsBySubnetAsync(db, [subnet.Id], ct))[subnet.Id]));
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string virtualNetworkName, string subnetName,
        NetworkDeletion deletion, CancellationToken ct) =>
        await deletion.DeleteSubnetAsync(subscriptionId, resourceGroupName, virtualNetworkName, subnetName, ct) ? TypedResults.Ok() : TypedResults.NoContent();

    private static async Task<Ok<ArmList<SubnetResource>>> List(string subscriptionId, string resourceGroupName, string virtualNetworkName,
        BackupDbContext db, CancellationToken ct)
    {
        var vnet = await VirtualNetworkEndpoints.FindAsync(db, subscriptionId, resourceGroupName, virtualNetworkName, ct);
        var users = await NetworkMapper.IpConfigurationsBySubnetAsync(db, vnet.Subnets.Select(s => s.Id).ToList(), ct);
        return TypedResults.Ok(new ArmList<SubnetResource>(vnet.Subnets.OrderBy(s => s.Id).Select(s => NetworkMapper.ToResource(vnet, s, users[s.Id])).ToList()));
    }
}
