using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Network;

/// <summary>
/// What every Microsoft.Network PUT shares: the body checked against its resource's shape (members the emulator does
/// not keep answer 400 by path; read-only ones a GET returned are accepted and ignored), its region and tags, and the
/// lookup of a resource a body refers to (Azure's <c>InvalidResourceReference</c> when it is missing or elsewhere).
/// </summary>
public static class NetworkRequest
{
    /// <summary>Members of every ARM resource a client may send back from a GET; ARM ignores them.</summary>
    public static readonly (string, JsonShape)[] ReadOnly = [("id", JsonShape.Any), ("name", JsonShape.Any), ("type", JsonShape.Any), ("etag", JsonShape.Any)];

    public static readonly (string, JsonShape)[] ReadOnlyProperties = [("provisioningState", JsonShape.Any), ("resourceGuid", JsonShape.Any)];

    public static JsonObject Check(JsonObject? body, JsonShape shape)
    {
        if (body is null) throw ArmException.BadRequest("The request body must be a JSON object.");
        JsonShape.RequireReadable(body);
        shape.Check(body, "");
        return body;
    }

    public static string Location(JsonObject body) => body["location"]?.GetValue<string>() is { Length: > 0 } location
        ? location.Replace(" ", "").ToLowerInvariant()
        : throw ArmException.BadRequest("The request body must carry 'location'.", "LocationRequired");

    public static string? Tags(JsonObject body) => body["tags"] is JsonObject tags ? tags.ToJsonString() : null;

    public static string? Text(JsonNode? node) => node?.GetValue<string>();

    public static ArmException NotFound(string type, string rg, string name) =>
        new(404, ArmErrorCodes.ResourceNotFound, $"The Resource '{type}/{name}' under resource group '{rg}' was not found.");

    /// <summary>Azure's refusal of a reference to a resource that does not exist, or lies in another region.</summary>
    public static ArmException InvalidReference(string referenced, string by) => ArmException.BadRequest(
        $"Resource {referenced} referenced by resource {by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
        "InvalidResourceReference");

    public static async Task<Subnet> FindSubnetAsync(BackupDbContext db, string sub, string? subnetId, string location, string by, CancellationToken ct)
    {
        var parsed = ArmResourceIds.Parse(subnetId, ArmResourceIds.VirtualNetworksType, "subnets");
        if (parsed is null || !parsed.SubscriptionId.Equals(sub, StringComparison.OrdinalIgnoreCase)) throw InvalidReference(subnetId ?? "(none)", by);
        var key = ResourceKeys.Of(parsed.SubscriptionId, parsed.ResourceGroup, parsed.Name);
        var subnets = await db.Subnets.Include(s => s.VirtualNetwork).Where(s => s.VirtualNetwork!.Key == key).ToListAsync(ct);
        return subnets.FirstOrDefault(s => s.Name.Equals(parsed.Child, StringComparison.OrdinalIgnoreCase) && s.VirtualNetwork!.Location == location)
            ?? throw InvalidReference(subnetId!, by);
    }

    public static async Task<PublicIpAddress> FindPublicIpAsync(BackupDbContext db, string sub, string? id, string location, string by, CancellationToken ct)
    {
        var parsed = ArmResourceIds.Parse(id, ArmResourceIds.PublicIpAddressesType);
        if (parsed is null || !parsed.SubscriptionId.Equals(sub, StringComparison.OrdinalIgnoreCase)) throw InvalidReference(id ?? "(none)", by);
        var key = ResourceKeys.Of(parsed.SubscriptionId, parsed.ResourceGroup, parsed.Name);
        return await db.PublicIpAddresses.FirstOrDefaultAsync(p => p.Key == key && p.Location == location, ct) ?? throw InvalidReference(id!, by);
    }
}
