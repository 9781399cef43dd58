using System.Text.Json;
using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.ResourceGroups;

/// <summary>The body of a resource group PUT (Microsoft.Resources ResourceGroup).</summary>
public sealed record ResourceGroupRequest(string? Location, Dictionary<string, string>? Tags, string? ManagedBy, JsonElement? Properties)
{
    /// <summary>Any other member: id, name and type are read-only and ignored as ARM does; the rest is refused by name.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>The body of a resource group PATCH (ResourceGroupPatchable): tags and managedBy replace what the group has.</summary>
public sealed record ResourceGroupPatch(Dictionary<string, string>? Tags, string? ManagedBy, string? Name, JsonElement? Properties)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ResourceGroupResource(string Id, string Name, string Type, string Location, string? ManagedBy,
    IReadOnlyDictionary<string, string>? Tags, ResourceGroupProperties Properties);

public sealed record ResourceGroupProperties(string ProvisioningState);

public static class ResourceGroupMapper
{
    public const string Type = "Microsoft.Resources/resourceGroups";

    public static ResourceGroupResource ToResource(ResourceGroup g) => new(
        ArmIds.ResourceGroup(g.SubscriptionId, g.Name), g.Name, Type, g.Location, g.ManagedBy,
        g.TagsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(g.TagsJson), new ResourceGroupProperties("Succeeded"));

    public static void SetTags(ResourceGroup g, Dictionary<string, string>? tags)
    {
        g.TagsJson = tags is null ? null : JsonSerializer.Serialize(tags);
        g.TagIndex = ResourceGroupTags.Index(tags);
    }

    /// <summary>Members ARM has but the emulator does not keep, or does not know: refused by name, never dropped.</summary>
    public static void RefuseOthers(Dictionary<string, JsonElement>? other, JsonElement? properties)
    {
        if (other?.Keys.Where(k => k is not ("id" or "name" or "type")).Order().ToList() is { Count: > 0 } unknown)
            throw ArmException.BadRequest($"The emulator does not keep {string.Join(", ", unknown.Select(k => $"'{k}'"))} on a resource group.");
        // properties has only the read-only provisioningState.
        if (properties is { ValueKind: JsonValueKind.Object } p && p.EnumerateObject().Select(m => m.Name).FirstOrDefault(n => n != "provisioningState") is { } name)
            throw ArmException.BadRequest($"The resource group property 'properties.{name}' does not exist; a resource group's only property is the read-only provisioningState.");
    }
}
