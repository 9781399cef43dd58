using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>parameters(), variables(), copyIndex(), deployment(), environment(), resourceGroup(), subscription(), tenant().</summary>
internal static class DeploymentFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("parameters", 1, 1, Parameters),
        F("variables", 1, 1, c => c.Scope.FunctionParameters is null
            ? c.Scope.State.Variable(c.String(0), c.Scope)
            : throw c.Error("variables can't be used inside a user-defined function.")),
        F("copyIndex", 0, 2, CopyIndex),
        F("deployment", 0, 0, Deployment),
        F("environment", 0, 0, _ => AzureCloud.DeepClone()),
        F("resourceGroup", 0, 0, ResourceGroup),
        F("subscription", 0, 0, c => new JsonObject
        {
            ["id"] = ResourceIds.Subscription(c.Scope.Context.SubscriptionId),
            ["subscriptionId"] = c.Scope.Context.SubscriptionId,
            ["tenantId"] = c.Scope.Context.TenantId,
            ["displayName"] = "Emulated subscription",
        }),
        F("tenant", 0, 0, c => new JsonObject { ["tenantId"] = c.Scope.Context.TenantId, ["countryCode"] = "US", ["displayName"] = "Emulated tenant" }),
        F("managementGroup", 0, 1, c => throw c.Error("management group deployments are not supported by the emulator.")),
        F("providers", 1, 2, c => throw c.Error("the providers function is deprecated by Azure and not supported by the emulator.")),
        F("pickZones", 3, 5, c => throw c.Error("availability zones are not modelled by the emulator.")),
    ];

    /// <summary>utcNow() and newGuid() are only allowed in a parameter's defaultValue, as in ARM.</summary>
    internal static JsonNode OnlyInParameterDefault(FunctionCall c, Func<JsonNode> value) => c.Scope.InParameterDefault
        ? value()
        : throw TemplateException.Invalid(
            $"The template function '{c.Name}' is not expected at this location. It can only be used as the default value of a parameter. Please see https://aka.ms/arm-functions for usage details.");

    private static JsonNode? Parameters(FunctionCall c)
    {
        var name = c.String(0);
        if (c.Scope.FunctionParameters is { } own)
            return own.TryGetValue(name, out var value) ? V.Copy(value) : throw c.Error($"the user-defined function has no parameter '{name}'.");
        return c.Scope.State.Parameter(name);
    }

    private static JsonNode CopyIndex(FunctionCall c)
    {
        string? loop = null;
        long offset = 0;
        if (c.Count >= 1 && V.IsString(c[0])) loop = c.String(0);
        else if (c.Count >= 1) offset = c.Integer(0);
        if (c.Count == 2) offset = c.Integer(1);
        var scope = c.Scope;
        var name = loop ?? scope.CurrentLoop;
        if (name is null || !scope.CopyIndexes.TryGetValue(name, out var index))
            throw TemplateException.Invalid(loop is null
                ? "The template function 'copyIndex' is not expected at this location. Please see https://aka.ms/arm-copy for usage details."
                : $"The template function 'copyIndex' has an invalid loop name '{loop}': no copy loop of that name encloses it.");
        return V.Of(index + offset);
    }

    private static JsonObject Deployment(FunctionCall c)
    {
        var state = c.Scope.State;
        var result = new JsonObject
        {
            ["name"] = state.Context.DeploymentName,
            ["properties"] = new JsonObject
            {
                ["template"] = new JsonObject { ["contentVersion"] = V.Copy(state.Template["contentVersion"]) ?? "1.0.0.0" },
                ["templateHash"] = TemplateHash.Of(state.Template),
                ["mode"] = "Incremental",
                ["provisioningState"] = "Accepted",
            },
        };
        if (state.Context.TemplateLink is { } link)
            result["properties"]!["templateLink"] = new JsonObject { ["uri"] = link.ToString(), ["contentVersion"] = V.Copy(state.Template["contentVersion"]) ?? "1.0.0.0" };
        if (state.Context.ResourceGroupName is null) result["location"] = state.Context.Location;
        return result;
    }

    private static JsonObject ResourceGroup(FunctionCall c)
    {
        var context = c.Scope.Context;
        if (context.ResourceGroupName is not { } group)
            throw TemplateException.Invalid("The template function 'resourceGroup' is not expected at this location: this is a subscription-scope deployment. Please see https://aka.ms/arm-functions for usage details.");
        return new JsonObject
        {
            ["id"] = ResourceIds.ResourceGroup(context.SubscriptionId, group),
            ["name"] = group,
            ["type"] = ResourceIds.ResourceGroupType,
            ["location"] = context.ResourceGroupLocation ?? context.Location,
            ["properties"] = new JsonObject { ["provisioningState"] = "Succeeded" },
        };
    }

    private static readonly JsonObject AzureCloud = (JsonObject)JsonNode.Parse("""
        {"name":"AzureCloud","gallery":"https://gallery.azure.com/","graph":"https://graph.windows.net/",
         "portal":"https://portal.azure.com","graphAudience":"https://graph.windows.net/",
         "activeDirectoryDataLake":"https://datalake.azure.net/","batch":"https://batch.core.windows.net/",
         "media":"https://rest.media.azure.net","sqlManagement":"https://management.core.windows.net:8443/",
         "vmImageAliasDoc":"https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
         "resourceManager":"https://management.azure.com/",
         "authentication":{"loginEndpoint":"https://login.microsoftonline.com/","audiences":["https://management.core.windows.net/","https://management.azure.com/"],"tenant":"common","identityProvider":"AAD"},
         "suffixes":{"acrLoginServer":".azurecr.io","azureDatalakeAnalyticsCatalogAndJob":"azuredatalakeanalytics.net","azureDatalakeStoreFileSystem":"azuredatalakestore.net","azureFrontDoorEndpointSuffix":"azurefd.net","keyvaultDns":".vault.azure.net","sqlServerHostname":".database.windows.net","storage":"core.windows.net"}}
        """)!;
}
