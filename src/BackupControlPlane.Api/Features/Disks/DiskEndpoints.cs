using System.Text.Json;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Disks;

/// <summary>
/// Managed disks (<c>Microsoft.Compute/disks</c>). A managed VM's disks appear here (Features/VirtualMachines makes
/// them); a PUT creates an empty disk (creationData.createOption Empty) that a VM PUT can attach (createOption Attach).
/// </summary>
public static class DiskEndpoints
{
    private const string Disks = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/disks";
    private static readonly string[] Skus = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS"];

    public static void MapDisks(this IEndpointRouteBuilder app)
    {
        var group = app.MapArm().WithTags("Microsoft.Compute disks");
        group.MapPut(Disks + "/{diskName}", Put).Produces<DiskResource>(StatusCodes.Status201Created).WithSummary("Create an empty managed disk (a page blob), or change its tags, sku or size.");
        group.MapGet(Disks + "/{diskName}", Get);
        group.MapDelete(Disks + "/{diskName}", Delete).WithSummary("Delete an unattached disk; an attached one answers OperationNotAllowed.");
        group.MapGet(Disks, ListInGroup);
        group.MapGet("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/disks", ListInSubscription);
    }

    private static async Task<Results<Ok<DiskResource>, JsonHttpResult<DiskResource>>> Put(string subscriptionId, string resourceGroupName, string diskName,
        DiskRequest? body, BackupDbContext db, BlobStorage storage, TimeProvider time, CancellationToken ct)
    {
        ArmLookups.RequireName(diskName, "disk");
        ArmLookups.RequireName(resourceGroupName, "resource group");
        if (body?.Location is not { Length: > 0 } location) throw ArmException.BadRequest("The request body must carry 'location'.");
        Refuse("", body.Other, "id", "name", "type", "managedBy", "managedByExtended");
        Refuse("properties.", body.Properties?.Other, "provisioningState", "diskState", "uniqueId", "timeCreated", "diskSizeBytes", "encryption",
            "networkAccessPolicy", "publicNetworkAccess", "tier", "diskIOPSReadWrite", "diskMBpsReadWrite");
        Refuse("properties.creationData.", body.Properties?.CreationData?.Other, "imageReference");
        var sku = body.Sku?.Name is { } s ? Skus.FirstOrDefault(k => k.Equals(s, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmException.BadRequest($"'sku.name' must be one of {string.Join(", ", Skus)}.", "InvalidParameter") : null;
        JsonShape.RequireReadable(body.Zones);
        JsonShape.ArrayOf(JsonShape.OneOf("1", "2", "3"), max: 1).Check(body.Zones, "zones");
        var osType = body.Properties?.OsType switch
        {
            null => null,
            var t when t.Equals("Windows", StringComparison.OrdinalIgnoreCase) => "Windows",
            var t when t.Equals("Linux", StringComparison.OrdinalIgnoreCase) => "Linux",
            var t => throw ArmException.BadRequest($"'properties.osType' '{t}' is not valid: use 'Windows' or 'Linux'.", "InvalidParameter"),
        };
        var size = body.Properties?.DiskSizeGB;
        if (size is < 1 or > 32767) throw ArmException.BadRequest($"'properties.diskSizeGB' is {size}; it must be 1 to 32767.", "InvalidParameter");
        var tags = body.Tags is null ? null : JsonSerializer.Serialize(body.Tags);

        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, diskName);
        var existing = await db.ManagedDisks.FirstOrDefaultAsync(d => d.Key == key, ct);
        if (existing is not null)
        {
            if (!existing.Location.Equals(location.Replace(" ", ""), StringComparison.OrdinalIgnoreCase))
                throw new ArmException(409, "InvalidResourceLocation", $"The disk '{diskName}' exists in '{existing.Location}'; a disk cannot move to '{location}'.");
            var owner = (await DiskMapper.ManagedByAsync(db, [existing.Id], ct)).GetValueOrDefault(existing.Id);
            if (size is { } grow && grow != existing.DiskSizeGB)
            {
                if (grow < existing.DiskSizeGB)
                    throw ArmException.BadRequest($"Disk size can only be increased: '{diskName}' is {existing.DiskSizeGB} GB.", "BadRequest");
                if (owner is not null)
                    throw new ArmException(409, ArmErrorCodes.OperationNotAllowed, $"Disk {diskName} is attached to VM {owner}; the emulator resizes unattached disks only.");
                existing.DiskSizeGB = grow;
            }
            existing.SkuName = sku ?? existing.SkuName;
            existing.TagsJson = tags;
            existing.OsType = osType ?? existing.OsType;
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(DiskMapper.ToResource(existing, owner));
        }
        if (body.Properties?.CreationData?.CreateOption is not { } option || !option.Equals("Empty", StringComparison.OrdinalIgnoreCase))
            throw ArmException.BadRequest(
                $"'properties.creationData.createOption' must be 'Empty' (the emulator creates empty disks; a VM PUT makes its OS disk from an image), not '{body.Properties?.CreationData?.CreateOption}'.",
                "InvalidParameter");
        if (size is null) throw ArmException.BadRequest("'properties.diskSizeGB' is required for an empty disk.", "InvalidParameter");
        var disk = new ManagedDisk
        {
            UniqueId = Guid.NewGuid(), SubscriptionId = subscriptionId, ResourceGroup = resourceGroupName, Name = diskName, Key = key,
            Location = location.Replace(" ", "").ToLowerInvariant(), SkuName = sku ?? "Standard_LRS", DiskSizeGB = size.Value, OsType = osType,
            CreateOption = "Empty", TagsJson = tags, ZonesJson = body.Zones?.ToJsonString(), CreatedAt = time.GetUtcNow(),
            BlobContainer = "", BlobName = "",
        };
        (disk.BlobContainer, disk.BlobName) = await storage.CreateDiskAsync(disk.UniqueId, diskName, diskName, 0, size.Value, ct);
        try
        {
            await storage.FlushAsync(ct);
            db.ManagedDisks.Add(disk);
            await ImplicitResourceGroups.EnsureAsync(db, subscriptionId, resourceGroupName, location, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e)
        {
            await storage.DeleteBlobIfExistsAsync(disk.BlobContainer, disk.BlobName, CancellationToken.None);
            if (e is DbUpdateException && DatabaseErrors.IsConflict(e)) throw new ArmException(409, "Conflict", $"The disk '{diskName}' was created by a concurrent request.");
            throw;
        }
        return TypedResults.Json(DiskMapper.ToResource(disk, null), statusCode: StatusCodes.Status201Created);
    }

    private static void Refuse(string prefix, Dictionary<string, JsonElement>? other, params string[] ignored) =>
        UnknownMembers.Refuse("disk", prefix, other, ignored);

    private static async Task<Ok<DiskResource>> Get(string subscriptionId, string resourceGroupName, string diskName, BackupDbContext db, CancellationToken ct)
    {
        var key = ResourceKeys.Of(subscriptionId, resourceGroupName, diskName);
        var disk = await db.ManagedDisks.AsNoTracking().FirstOrDefaultAsync(d => d.Key == key, ct)
            ?? throw new ArmException(404, ArmErrorCodes.ResourceNotFound, $"The Resource '{ArmResourceIds.DisksType}/{diskName}' under resource group '{resourceGroupName}' was not found.");
        return TypedResults.Ok(DiskMapper.ToResource(disk, (await DiskMapper.ManagedByAsync(db, [disk.Id], ct)).GetValueOrDefault(disk.Id)));
    }

    private static async Task<Results<Ok, NoContent>> Delete(string subscriptionId, string resourceGroupName, string diskName, DiskDeletion deletion, CancellationToken ct) =>
        await deletion.DeleteAsync(subscriptionId, resourceGroupName, diskName, ct) ? TypedResults.Ok() : TypedResults.NoContent();

    private static Task<Ok<ArmList<DiskResource>>> ListInGroup(string subscriptionId, string resourceGroupName, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(ResourceKeys.Of(subscriptionId, resourceGroupName, ""), db, http, ct);

    private static Task<Ok<ArmList<DiskResource>>> ListInSubscription(string subscriptionId, BackupDbContext db, HttpContext http, CancellationToken ct) =>
        List(subscriptionId.ToLowerInvariant() + "/", db, http, ct);

    private static async Task<Ok<ArmList<DiskResource>>> List(string prefix, BackupDbContext db, HttpContext http, CancellationToken ct)
    {
        var page = await db.ManagedDisks.AsNoTracking().Where(d => d.Key.StartsWith(prefix)).PageAsync(http, d => d.Key, descending: false, ct);
        var owners = await DiskMapper.ManagedByAsync(db, page.Rows.Select(d => d.Id).ToList(), ct);
        return TypedResults.Ok(page.ToArmList(d => DiskMapper.ToResource(d, owners.GetValueOrDefault(d.Id))));
    }
}
