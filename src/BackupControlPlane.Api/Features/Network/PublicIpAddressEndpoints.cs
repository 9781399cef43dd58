using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static BackupControlPlane.Api.Arm.JsonShape;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>Public IP addresses: an address from 20.0.0.0/8 is allocated on create (Static or Dynamic alike) and kept.</summary>
public static class PublicIpAddressEndpoints
{
    private const string Route = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/publicIPAddresses";

    private static readonly JsonShape Shape = Obj([.. NetworkRequest.ReadOnly,
        ("location", Str), ("tags", Tags), ("zones", ArrayOf(OneOf("1", "2", "3"))),
        ("sku", Obj(("name", OneOf("Basic", "Standard")), ("tier", OneOf("Regional")))),
        ("properties", Obj([.. NetworkRequest.ReadOnlyProperties,
            ("publicIPAllocationMethod", OneOf("Static", "Dynamic")), ("publicIPAddressVersion", OneOf("IPv4")), ("idleTimeoutInMinutes", Num),
            ("dnsSettings", Obj(("domainNameLabel", Str), ("fqdn", Any))), ("ipTags", ArrayOf(Any, max: 0)), ("ipAddress", Any), ("ipConfiguration", Any)]))]);

    public static void MapPublicIpAddresses(this RouteGroupBuilder group)
    {
        group.MapPut(Route + "/{publicIpAddressName}", Put).Produces<PublicIpResource>(StatusCodes.Status201Created).WithSummary("Create a public IP address (allocated from 20.0.0.0/8), or change its tags, DNS label or idle timeout.");
        group.MapGet(Route + "/{publicIpAddressName}", Get);
        group.MapDelete(Route + "/{publicIpAddressName}", Delete).WithSummary("Delete a public IP address; one a NIC uses answers PublicIPAddressInUse.");
        group.MapGet(Route, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.Network/publicIPAddresses", ListInSubscription);
    }

    private static async Task<Results<Ok<PublicIpResource>, JsonHttpResult<PublicIpResource>>> Put(string subscriptionId, string resourceGroupName,
        string publicIpAddressName, JsonObject? body, BackupDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(publicIpAddressName, "public IP address");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        NetworkRequest.Check(body, Shape);
        var location = NetworkRequest.Location(body!);
        var p = body!["properties"];
        var sku = NetworkRequest.Text(body["sku"]?["name"]) is { } s ? (s.Equals("Standard", StringComparison.OrdinalIgnoreCase) ? "Standard" : "Basic") : "Basic";
        var method = NetworkRequest.Text(p?["publicIPAllocationMethod"]) is { } m
            ? (m.Equals("Static", StringComparison.OrdinalIgnoreCase) ? "Static" : "Dynamic") : sku == "Standard" ? "Static" : "Dynamic";
        if (sku == "Standard" && method == "Dynamic")
            throw ArmException.BadRequest($"Standard sku public IP address {publicIpAddressName} must have publicIPAllocationMethod Static.", "StandardSkuPublicIPAddressesMustBeStatic");
        var label = NetworkRequest.Text(p?["dnsSettings"]?["domainNameLabel"]);
        if (label is not null && !System.Text.RegularExpressions.Regex.IsMatch(label, "^[a-z][a-z0-9-]{1,61}[a-z0-9]$"))
            throw ArmException.BadRequest($"The domain name label {label} is invalid: 3-63 lowercase letters, digits and hyphens, starting with a letter.", "InvalidDomainNameLabel");
        var idle = p?["idleTimeoutInMinutes"]?.GetValue<int>() ?? 4;
        if (idle is < 4 or > 30) throw ArmException.BadRequest($"'properties.idleTimeoutInMinutes' is {idle}; it must be 4 to 30.", "PublicIPIdleTimeoutIsOutOfRange");

        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, publicIpAddressName);
        var ip = await db.PublicIpAddresses.FirstOrDefaultAsync(x => x.Key == key, ct);
        var created = ip is null;
        if (ip is null)
        {
            ip = new PublicIpAddress
            {
                ResourceGuid = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = publicIpAddressName, Key = key,
                Location = location, IpAddress = IpAddressing.NewPublicAddress(), AllocationMethod = method, SkuName = sku, CreatedAt = time.GetUtcNow(),
                ZonesJson = body["zones"] is JsonArray { Count: > 0 } zones ? zones.ToJsonString() : null,
            };
            db.PublicIpAddresses.Add(ip);
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, time.GetUtcNow(), ct);
        }
        else if (ip.Location != location || ip.SkuName != sku)
            throw ArmException.BadRequest($"The public IP address {publicIpAddressName} is a {ip.SkuName} address in {ip.Location}; its region and sku do not change.", "InvalidRequestFormat");
        ip.AllocationMethod = method;
        ip.DomainNameLabel = label;
        ip.IdleTimeoutInMinutes = idle;
        ip.TagsJson = NetworkRequest.Tags(body);
        await NetworkSave.SaveAsync(db, $"public IP address '{publicIpAddressName}'", ct);
        var resource = NetworkMapper.ToResource(ip, (await NetworkMapper.IpConfigurationsByPublicIpAsync(db, [ip.Id], ct)).GetValueOrDefault(ip.Id));
        return created ? TypedResults.Json(resource, statusCode: StatusCodes.Status201Created) : TypedResults.Ok(resource);
    }

    private static async Task<Ok<PublicIpResource>> Get(string subscriptionId, string resourceGroupName, string publicIpAddressName, BackupDbContext db, CancellationToken ct)
    {
        var ip = await FindAsync(db, subscriptionId, resourceGroupName, publicIpAddressName, ct);
        return TypedResults.Ok(NetworkMapper.ToResource(ip, (await NetworkMapper.IpConfigurationsByPublicIpAsync(db, [ip.Id], ct)).GetValueOrDefault(ip.Id)));
    }

    private static async Task<PublicIpAddress> FindAsync(BackupDbContext db, string sub, string rg, string name, CancellationToken ct)
    {
        var key = ResourceKeys.Of(sub, rg, name);
        return await db.PublicIpAddresses.FirstOrDefaultAsync(x => x.Key == key, ct) ?? throw NetworkRequest.NotFound(ArmResourceIds.PublicIpAddressesType, rg, name);
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string publicIpAddressName,
        NetworkDeletion deletion, CancellationToken ct) =>
        await deletion.DeletePublicIpAsync(subscriptionId, resourceGroupName, publicIpAddressName, ct) ? TypedResults.Ok() : TypedResults.NoContent();

    private static Task<Ok<ArmList<PublicIpResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, http, ct);

    private static Task<Ok<ArmList<PublicIpResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(subscriptionId.ToLowerInvariant() + "/", db, http, ct);

    private static async Task<Ok<ArmList<PublicIpResource>>> List(string prefix, BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        var page = await db.PublicIpAddresses.AsNoTracking().Where(x => x.Key.StartsWith(prefix)).PageAsync(http, x => x.Key, descending: false, ct);
        var users = await NetworkMapper.IpConfigurationsByPublicIpAsync(db, page.Rows.Select(x => x.Id).ToList(), ct);
        return TypedResults.Ok(page.ToArmList(x => NetworkMapper.ToResource(x, users.GetValueOrDefault(x.Id))));
    }
}
