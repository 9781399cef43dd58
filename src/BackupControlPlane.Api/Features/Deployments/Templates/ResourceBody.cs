using System.Text.Json.Nodes;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Evaluates a resource's body. For a nested deployment (<c>Microsoft.Resources/deployments</c>) the inner template is
/// not evaluated here: with <c>expressionEvaluationOptions.scope: inner</c> (Bicep modules) it keeps its own parameters;
/// with the default outer scope it receives this template's parameters and variables as its own.
/// </summary>
internal static class ResourceBody
{
    private static readonly HashSet<string> TemplateOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "type", "name", "apiVersion", "dependsOn", "condition", "copy", "comments", "scope", "existing", "resources",
        "metadata", "resourceGroup", "subscriptionId",
    };

    public static JsonObject Evaluate(ResourceInstance instance)
    {
        var scope = instance.Scope.WithReferences(true);
        var body = new JsonObject();
        foreach (var (key, value) in instance.Declaration.Where(p => !TemplateOnly.Contains(p.Key)))
        {
            if (key == "properties" && value is JsonObject properties && IsDeployment(instance))
                body[key] = NestedProperties(instance, properties, scope);
            else
                body[key] = ExpressionEvaluator.EvaluateTree(value, scope, $"{instance.Path}.{key}");
        }
        return body;
    }

    private static bool IsDeployment(ResourceInstance instance) =>
        instance.Type.Equals("Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase);

    private static JsonObject NestedProperties(ResourceInstance instance, JsonObject properties, EvaluationScope scope)
    {
        var path = $"{instance.Path}.properties";
        var result = new JsonObject();
        foreach (var (key, value) in properties.Where(p => p.Key != "template"))
            result[key] = ExpressionEvaluator.EvaluateTree(value, scope, $"{path}.{key}");
        if (properties["template"] is not JsonObject template) return result;
        var inner = string.Equals(V.AsString(properties["expressionEvaluationOptions"]?["scope"]), "inner", StringComparison.OrdinalIgnoreCase);
        result["template"] = inner ? template.DeepClone() : WithOuterScope(instance.Scope.State, template);
        return result;
    }

    /// <summary>The outer-scope template made self-contained: this template's parameters and variables become its own.</summary>
    private static JsonObject WithOuterScope(TemplateState state, JsonObject template)
    {
        var copy = (JsonObject)template.DeepClone();
        var parameters = new JsonObject();
        foreach (var (name, value) in state.Parameters)
        {
            var declared = (state.Template["parameters"] as JsonObject)?[name];
            parameters[name] = new JsonObject { ["type"] = V.Copy(declared?["type"]) ?? "object", ["defaultValue"] = Escape(value) };
        }
        var variables = new JsonObject();
        foreach (var name in state.VariableNames())
            variables[name] = Escape(state.Variable(name, new EvaluationScope(state)));
        copy["parameters"] = parameters;
        copy["variables"] = variables;
        return copy;
    }

    /// <summary>An evaluated value placed back in a template: strings that would read as expressions get '[[' .</summary>
    internal static JsonNode? Escape(JsonNode? value) => value switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Escape(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Escape).ToArray()),
        _ when V.AsString(value) is { } s && s.StartsWith('[') && s.EndsWith(']') => JsonValue.Create("[" + s),
        _ => V.Copy(value),
    };
}
