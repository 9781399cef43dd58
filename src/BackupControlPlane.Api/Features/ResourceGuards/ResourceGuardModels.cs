using System.Text.Json;
using System.Text.Json.Serialization;
using BackupControlPlane.Api.Arm;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.ResourceGuards;

// Microsoft.DataProtection/resourceGuards and Microsoft.RecoveryServices/vaults/backupResourceGuardProxies as Azure answers them.

public sealed record ResourceGuardRequest(string? Location, Dictionary<string, string>? Tags, ResourceGuardRequestProperties? Properties)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ResourceGuardRequestProperties(List<string>? VaultCriticalOperationExclusionList, string? Description)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ResourceGuardResource(string Id, string Name, string Type, string Location, Dictionary<string, string>? Tags, string ETag,
    ResourceGuardProperties Properties);

public sealed record ResourceGuardProperties(string ProvisioningState, bool AllowAutoApprovals, IReadOnlyList<ResourceGuardOperation> ResourceGuardOperations,
    IReadOnlyList<string> VaultCriticalOperationExclusionList, string? Description);

public sealed record ResourceGuardOperation(string VaultCriticalOperation, string RequestResourceType);

/// <summary>A guard's request resource (<c>{guardId}/{requestType}/default</c>): what a caller is authorised on.</summary>
public sealed record GuardRequestResource(string Id, string Name, string Type);

public sealed record ProxyRequest(ProxyRequestProperties? Properties)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ProxyRequestProperties(string? ResourceGuardResourceId, string? Description)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ProxyResource(string Id, string Name, string Type, ProxyProperties Properties);

public sealed record ProxyProperties(string ResourceGuardResourceId, IReadOnlyList<ProxyOperationDetail> ResourceGuardOperationDetails,
    DateTimeOffset LastUpdatedTime, string? Description);

public sealed record ProxyOperationDetail(string VaultCriticalOperation, string DefaultResourceRequest);

public sealed record UnlockDeleteRequest(List<string>? ResourceGuardOperationRequests, string? ResourceToBeDeleted)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record UnlockDeleteResponse(DateTimeOffset UnlockDeleteExpiryTime);

public static class ResourceGuardMapper
{
    public const string Type = "Microsoft.DataProtection/resourceGuards";
    public const string ProxyType = "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies";

    public static string Id(string sub, string rg, string name) => $"{ArmIds.ResourceGroup(sub, rg)}/providers/{Type}/{name}";

    public static IReadOnlyList<string> Exclusions(ResourceGuard g) => JsonSerializer.Deserialize<List<string>>(g.ExclusionListJson) ?? [];

    public static ResourceGuardResource ToResource(ResourceGuard g) => new(
        Id(g.SubscriptionId, g.ResourceGroup, g.Name), g.Name, Type, g.Location,
        g.TagsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(g.TagsJson), g.ETag,
        new ResourceGuardProperties("Succeeded", false,
            GuardOperations.All.Select(o => new ResourceGuardOperation(o.VaultCriticalOperation, $"{Type}/{o.RequestType}")).ToList(),
            Exclusions(g), g.Description));

    /// <summary>
    /// The proxy as Azure shows it: every protected operation with the request to name for it. The guard id is echoed
    /// with a lowercase 'resourcegroups' segment, as the real service does (Terraform compares it case-insensitively).
    /// </summary>
    public static ProxyResource ToResource(ResourceGuardProxy p, string vaultId)
    {
        var guardId = LowercaseGroupsSegment(p.ResourceGuardResourceId);
        return new ProxyResource($"{vaultId}/backupResourceGuardProxies/{p.Name}", p.Name, ProxyType, new ProxyProperties(guardId,
            GuardOperations.All.Select(o => new ProxyOperationDetail(o.VaultCriticalOperation, GuardOperations.DefaultRequest(guardId, o))).ToList(),
            p.LastUpdatedTime, p.Description));
    }

    private static string LowercaseGroupsSegment(string id) => System.Text.RegularExpressions.Regex.Replace(id, "/resourceGroups/", "/resourcegroups/",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase);
}
