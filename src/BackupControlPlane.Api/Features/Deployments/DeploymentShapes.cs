using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using BackupControlPlane.Api.Data;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>Deployments and their operations as ARM answers them (DeploymentExtended, DeploymentOperation).</summary>
public static class DeploymentShapes
{
    public static JsonObject Resource(Deployment d)
    {
        var properties = new JsonObject
        {
            ["templateHash"] = d.TemplateHash,
            ["parameters"] = Parse(d.ParametersJson) ?? new JsonObject(),
            ["mode"] = d.Mode,
            ["provisioningState"] = d.ProvisioningState,
            ["timestamp"] = d.Timestamp.UtcDateTime.ToString("O"),
            ["duration"] = XmlConvert.ToString(d.Duration),
            ["correlationId"] = d.CorrelationId,
            ["providers"] = Providers(d.OutputResourcesJson),
            ["dependencies"] = Parse(d.DependenciesJson) ?? new JsonArray(),
        };
        if (d.TemplateLink is not null) properties["templateLink"] = new JsonObject { ["uri"] = d.TemplateLink };
        if (d.OutputsJson is not null) properties["outputs"] = Parse(d.OutputsJson);
        if (d.OutputResourcesJson is not null && d.ProvisioningState == DeploymentStates.Succeeded)
            properties["outputResources"] = new JsonArray([.. Ids(d.OutputResourcesJson).Select(id => (JsonNode)new JsonObject { ["id"] = id })]);
        if (d.ErrorJson is not null) properties["error"] = Parse(d.ErrorJson);
        var resource = new JsonObject { ["id"] = DeploymentIds.Of(d), ["name"] = d.Name, ["type"] = DeploymentIds.Type };
        if (d.Location is not null) resource["location"] = d.Location;
        resource["properties"] = properties;
        return resource;
    }

    public static JsonObject Operation(Deployment d, DeploymentOperation o)
    {
        var properties = new JsonObject
        {
            ["provisioningOperation"] = o.ProvisioningOperation,
            ["provisioningState"] = o.ProvisioningState,
            ["timestamp"] = o.Timestamp.UtcDateTime.ToString("O"),
            ["duration"] = XmlConvert.ToString(o.Duration),
            ["trackingId"] = d.CorrelationId,
            ["serviceRequestId"] = d.CorrelationId,
        };
        if (o.StatusCode is not null) properties["statusCode"] = o.StatusCode;
        if (o.StatusMessageJson is not null) properties["statusMessage"] = Parse(o.StatusMessageJson);
        properties["targetResource"] = new JsonObject { ["id"] = o.ResourceId, ["resourceType"] = o.ResourceType, ["resourceName"] = o.ResourceName };
        return new JsonObject { ["id"] = $"{DeploymentIds.Of(d)}/operations/{o.OperationId}", ["operationId"] = o.OperationId, ["properties"] = properties };
    }

    /// <summary>The resource providers a deployment wrote to, by namespace and type, as ARM lists them.</summary>
    private static JsonArray Providers(string? resourcesJson) => new([.. Ids(resourcesJson)
        .Select(TypeOf).Where(t => t is not null).GroupBy(t => t!.Value.Namespace, StringComparer.OrdinalIgnoreCase)
        .Select(g => (JsonNode)new JsonObject
        {
            ["namespace"] = g.Key,
            ["resourceTypes"] = new JsonArray([.. g.Select(t => t!.Value.Type).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(t => (JsonNode)new JsonObject { ["resourceType"] = t })]),
        })]);

    private static (string Namespace, string Type)? TypeOf(string id)
    {
        var parts = id.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindLastIndex(parts, p => p.Equals("providers", StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at + 2 >= parts.Length) return null;
        var types = parts.Skip(at + 2).Where((_, i) => i % 2 == 0);
        return (parts[at + 1], string.Join('/', types));
    }

    private static IEnumerable<string> Ids(string? json) => json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
