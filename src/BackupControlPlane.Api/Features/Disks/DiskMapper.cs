using System.Text.Json;
using System.Text.Json.Nodes;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace BackupControlPlane.Api.Features.Disks;

public static class DiskMapper
{
    /// <summary>The VM each of <paramref name="disks"/> is attached to (its id), by disk row id.</summary>
    public static async Task<Dictionary<long, string>> ManagedByAsync(BackupDbContext db, IReadOnlyCollection<long> disks, CancellationToken ct) =>
        (await db.VirtualMachineDisks.AsNoTracking().Where(d => d.ManagedDiskId != null && disks.Contains(d.ManagedDiskId.Value))
            .Join(db.VirtualMachines, d => d.VirtualMachineId, v => v.Id, (d, v) => new { Disk = d.ManagedDiskId!.Value, v.SubscriptionId, v.ResourceGroup, v.Name })
            .ToListAsync(ct))
        .ToDictionary(a => a.Disk, a => ArmIds.VirtualMachine(a.SubscriptionId, a.ResourceGroup, a.Name));

    public static DiskResource ToResource(ManagedDisk d, string? managedBy) => new(
        ArmResourceIds.Disk(d.SubscriptionId, d.ResourceGroup, d.Name), d.Name, ArmResourceIds.DisksType, d.Location,
        d.TagsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(d.TagsJson),
        d.ZonesJson is null ? null : JsonNode.Parse(d.ZonesJson),
        managedBy, new DiskSku(d.SkuName, d.SkuName.StartsWith("Premium", StringComparison.Ordinal) ? "Premium" : "Standard"),
        new DiskProperties(d.OsType, new CreationData(d.CreateOption, ImageReference(d)), d.DiskSizeGB, (long)d.DiskSizeGB << 30,
            d.UniqueId.ToString(), "Succeeded", managedBy is null ? "Unattached" : "Attached", d.CreatedAt,
            new DiskEncryption("EncryptionAtRestWithPlatformKey"), "AllowAll", "Enabled"));

    /// <summary>A disk made from a marketplace image names it as Azure does: the image version's platform id.</summary>
    private static ImageDiskReference? ImageReference(ManagedDisk d)
    {
        if (d.ImageReferenceJson is null || JsonNode.Parse(d.ImageReferenceJson) is not JsonObject image) return null;
        if (image["id"]?.GetValue<string>() is { } id) return new ImageDiskReference(id);
        string? Part(string name) => image[name]?.GetValue<string>();
        return Part("publisher") is { } publisher
            ? new ImageDiskReference($"/Subscriptions/{d.SubscriptionId}/Providers/Microsoft.Compute/Locations/{d.Location}/Publishers/{publisher}" +
                $"/ArtifactTypes/VMImage/Offers/{Part("offer")}/Skus/{Part("sku")}/Versions/{Part("version") ?? "latest"}")
            : null;
    }
}
