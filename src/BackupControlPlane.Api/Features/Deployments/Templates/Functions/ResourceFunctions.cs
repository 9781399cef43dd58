using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// resourceId and its scoped variants, reference() and list*(). reference() and list*() read through the deployer's
/// <see cref="IResourceReader"/> and are only allowed where ARM allows them (resource bodies and outputs).
/// </summary>
internal static class ResourceFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("resourceId", 2, Many, ResourceId),
        F("subscriptionResourceId", 2, Many, SubscriptionResourceId),
        F("tenantResourceId", 2, Many, c => V.Of(ResourceIds.Build("", c.String(0), Names(c, 1)))),
        F("extensionResourceId", 3, Many, c => V.Of(ResourceIds.Build(c.String(0), c.String(1), Names(c, 2)))),
        F("reference", 1, 3, Reference),
    ];

    private static List<string> Names(FunctionCall c, int from) => Enumerable.Range(from, c.Count - from).Select(c.String).ToList();

    private static int TypeIndex(FunctionCall c)
    {
        for (var i = 0; i < c.Count; i++)
            if (c.String(i).Contains('/')) return i;
        throw c.Error("no argument is a resource type ('Namespace/type').");
    }

    /// <summary>resourceId([subscriptionId], [resourceGroupName], type, name, …).</summary>
    private static JsonNode ResourceId(FunctionCall c)
    {
        var context = c.Scope.Context;
        var typeIndex = TypeIndex(c);
        var (subscription, group) = typeIndex switch
        {
            0 => (context.SubscriptionId, context.ResourceGroupName),
            1 => (context.SubscriptionId, c.String(0)),
            2 => (c.String(0), c.String(1)),
            _ => throw c.Error("at most a subscription id and a resource group name may come before the resource type."),
        };
        var scope = group is null ? ResourceIds.Subscription(subscription) : ResourceIds.ResourceGroup(subscription, group);
        return V.Of(ResourceIds.Build(scope, c.String(typeIndex), Names(c, typeIndex + 1)));
    }

    private static JsonNode SubscriptionResourceId(FunctionCall c)
    {
        var typeIndex = TypeIndex(c);
        if (typeIndex > 1) throw c.Error("only a subscription id may come before the resource type.");
        var subscription = typeIndex == 1 ? c.String(0) : c.Scope.Context.SubscriptionId;
        return V.Of(ResourceIds.Build(ResourceIds.Subscription(subscription), c.String(typeIndex), Names(c, typeIndex + 1)));
    }

    private static void RequireReferences(FunctionCall c)
    {
        if (!c.Scope.ReferencesAllowed)
            throw TemplateException.Invalid(
                $"The template function '{c.Name}' is not expected at this location. It can be used in resource properties and outputs, not in names, conditions, copy counts, variables or parameters. Please see https://aka.ms/arm-functions for usage details.");
    }

    /// <summary>The id and api-version a reference()/list*() target means: a template resource (symbolic name, name) or an id.</summary>
    private static (string Id, string ApiVersion) Target(FunctionCall c, int apiVersionIndex)
    {
        var target = c.String(0);
        var declared = c.Scope.State.Resources.Find(target);
        var id = declared?.ResourceId ?? (target.StartsWith('/') ? target
            : throw c.Error($"the resource '{target}' is not defined in the template; give its resource id."));
        var apiVersion = c.Count > apiVersionIndex ? c.String(apiVersionIndex) : declared?.ApiVersion
            ?? throw c.Error($"the api-version is required for '{id}', which this template does not deploy.");
        return (id, apiVersion);
    }

    /// <summary>reference(resource, [apiVersion], ['Full']): the resource's properties, or the whole resource with 'Full'.</summary>
    private static JsonNode? Reference(FunctionCall c)
    {
        RequireReferences(c);
        var (id, apiVersion) = Target(c, 1);
        var full = c.Count > 2 && c.String(2).Equals("Full", StringComparison.OrdinalIgnoreCase);
        var reader = c.Scope.Context.Resources;
        var resource = c.Scope.State.Read($"GET {id}?api-version={apiVersion}", async ct => await reader.GetAsync(id, apiVersion, ct))
            as JsonObject ?? throw new TemplateException("ResourceNotFound",
                $"The Resource '{id}' was not found. Please see https://aka.ms/arm-resource-not-found for usage details.");
        if (!full) return resource["properties"] is JsonObject properties ? properties : new JsonObject();
        resource["apiVersion"] = apiVersion;
        resource["resourceId"] ??= id;
        return resource;
    }

    /// <summary>listKeys(), listSecrets() … (any list* name): POSTs the action on the resource through the reader.</summary>
    internal static JsonNode? ListAction(FunctionCall c)
    {
        RequireReferences(c);
        if (c.Count is < 2 or > 3) throw c.Error($"function requires 2 or 3 argument(s) while {c.Count} were provided.");
        var (id, apiVersion) = Target(c, 1);
        var body = c.Count > 2 ? c[2] : null;
        var reader = c.Scope.Context.Resources;
        var key = $"POST {id}/{c.Name}?api-version={apiVersion} {body?.ToJsonString()}";
        return c.Scope.State.Read(key, ct => reader.InvokeActionAsync(id, c.Name, apiVersion, V.Copy(body), ct));
    }
}
