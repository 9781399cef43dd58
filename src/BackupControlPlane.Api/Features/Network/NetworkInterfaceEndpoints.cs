using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// Network interfaces. A VM PUT naming one in its networkProfile attaches it (the NIC then shows
/// <c>virtualMachine.id</c>), and a NIC attached to a VM cannot be deleted (<c>NicInUse</c>).
/// </summary>
public static class NetworkInterfaceEndpoints
{
    private const string Route = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces";

    private static readonly JsonShape Shape = Obj([.. NetworkRequest.ReadOnly,
        ("location", Str), ("tags", Tags),
        ("properties", Obj([.. NetworkRequest.ReadOnlyProperties,
            ("ipConfigurations", ArrayOf(NicIpConfigurations.Shape)), ("enableAcceleratedNetworking", Bool), ("enableIPForwarding", False),
            ("dnsSettings", Obj(("dnsServers", ArrayOf(Str, max: 0)), ("appliedDnsServers", Any), ("internalDomainNameSuffix", Any))),
            ("macAddress", Any), ("virtualMachine", Any), ("primary", Any), ("nicType", OneOf("Standard")), ("disableTcpStateTracking", False),
            ("vnetEncryptionSupported", Any), ("hostedWorkloads", Any), ("tapConfigurations", ArrayOf(Any, max: 0))]))]);

    public static void MapNetworkInterfaces(this RouteGroupBuilder group)
    {
        group.MapPut(Route + "/{networkInterfaceName}", Put).Produces<NetworkInterfaceResource>(StatusCodes.Status201Created).WithSummary("Create or change a NIC: IP configurations in subnets, private addresses allocated, public IPs attached.");
        group.MapGet(Route + "/{networkInterfaceName}", Get);
        group.MapDelete(Route + "/{networkInterfaceName}", Delete).WithSummary("Delete a NIC; one attached to a VM answers NicInUse.");
        group.MapGet(Route, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.Network/networkInterfaces", ListInSubscription);
    }

    private static async Task<Results<Ok<NetworkInterfaceResource>, JsonHttpResult<NetworkInterfaceResource>>> Put(string subscriptionId, string resourceGroupName,
        string networkInterfaceName, JsonObject? body, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(networkInterfaceName, "network interface");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        NetworkRequest.Check(body, Shape);
        var location = NetworkRequest.Location(body!);
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, networkInterfaceName);
        var nic = await NetworkMapper.Nics(db).FirstOrDefaultAsync(n => n.Key == key, ct);
        var created = nic is null;
        if (nic is null)
        {
            nic = new NetworkInterface
            {
                ResourceGuid = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = networkInterfaceName, Key = key,
                Location = location, MacAddress = NetworkInterfaceFactory.NewMacAddress(),
                CreatedAt = time.GetUtcNow(),
            };
            db.NetworkInterfaces.Add(nic);
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, time.GetUtcNow(), ct);
        }
        else if (nic.Location != location)
            throw ArmException.BadRequest($"The network interface {networkInterfaceName} is in {nic.Location}; it cannot move to {location}.", "InvalidResourceLocation");
        var p = body!["properties"];
        await NicIpConfigurations.ApplyAsync(nic, p?["ipConfigurations"] as JsonArray ?? [], ArmResourceIds.NetworkInterface(subscriptionId, resourceGroupName, networkInterfaceName), db, ct);
        nic.EnableAcceleratedNetworking = p?["enableAcceleratedNetworking"]?.GetValue<bool>() ?? false;
        nic.TagsJson = NetworkRequest.Tags(body);
        await NetworkSave.SaveAsync(db, $"network interface '{networkInterfaceName}'", ct);
        var resource = NetworkMapper.ToResource(nic);
        return created ? TypedResults.Json(resource, statusCode: StatusCodes.Status201Created) : TypedResults.Ok(resource);
    }

    private static async Task<Ok<NetworkInterfaceResource>> Get(string subscriptionId, string resourceGroupName, string networkInterfaceName, BackupDbContext db, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, networkInterfaceName);
        var nic = await NetworkMapper.Nics(db).AsNoTracking().FirstOrDefaultAsync(n => n.Key == key, ct)
            ?? throw NetworkRequest.NotFound(ArmResourceIds.NetworkInterfacesType, resourceGroupName, networkInterfaceName);
        return TypedResults.Ok(NetworkMapper.ToResource(nic));
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string networkInterfaceName,
        NetworkDeletion deletion, CancellationToken ct) =>
        await deletion.DeleteNicAsync(subscriptionId, resourceGroupName, networkInterfaceName, ct) ? TypedResults.Ok() : TypedResults.NoContent();

    private static Task<Ok<ArmList<NetworkInterfaceResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, http, ct);

    private static Task<Ok<ArmList<NetworkInterfaceResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(subscriptionId.ToLowerInvariant() + "/", db, http, ct);

    private static async Task<Ok<ArmList<NetworkInterfaceResource>>> List(string prefix, BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        var page = await NetworkMapper.Nics(db).AsNoTracking().AsSplitQuery().Where(n => n.Key.StartsWith(prefix)).PageAsync(http, n => n.Key, descending: false, ct);
        return TypedResults.Ok(page.ToArmList(NetworkMapper.ToResource));
    }
}
