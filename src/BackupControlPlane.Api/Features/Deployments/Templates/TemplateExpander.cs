using System.Text.Json.Nodes;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Turns the template's resource declarations (array form, or languageVersion 2.0's symbolic-name object) into
/// instances: copy loops expanded (serial batches wait for the previous batch), conditions, names, types and ids
/// evaluated, child resources nested in <c>resources</c> given their full type and name, extension <c>scope</c>s resolved.
/// </summary>
internal static class TemplateExpander
{
    private static readonly HashSet<string> Members = new(StringComparer.OrdinalIgnoreCase)
    {
        "type", "name", "apiVersion", "location", "tags", "sku", "kind", "properties", "identity", "zones", "plan",
        "dependsOn", "condition", "copy", "comments", "scope", "existing", "resources", "managedBy", "extendedLocation",
        "metadata", "resourceGroup", "subscriptionId", "etag", "scale",
    };

    public static void Expand(TemplateState state)
    {
        var root = new EvaluationScope(state);
        switch (state.Template["resources"])
        {
            case null: return;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) Declaration(state, Object(array[i], $"resources[{i}]"), null, root, null, $"resources[{i}]");
                return;
            case JsonObject symbolic when V.AsString(state.Template["languageVersion"]) is not null:
                foreach (var (symbol, declaration) in symbolic) Declaration(state, Object(declaration, $"resources.{symbol}"), symbol, root, null, $"resources.{symbol}");
                return;
            default:
                throw TemplateException.Invalid("The template 'resources' must be an array, or an object of symbolic names with languageVersion '2.0'.", "resources");
        }
    }

    private static JsonObject Object(JsonNode? node, string path) =>
        node as JsonObject ?? throw TemplateException.Invalid("The template resource must be an object.", path);

    private static void Declaration(TemplateState state, JsonObject declaration, string? symbol, EvaluationScope scope, ResourceInstance? parent, string path)
    {
        if (declaration.Select(p => p.Key).FirstOrDefault(k => !Members.Contains(k)) is { } unknown)
            throw TemplateException.Invalid($"The template resource property '{unknown}' is not supported by the emulator's template engine.", $"{path}.{unknown}");
        if (!declaration.ContainsKey("copy"))
        {
            One(state, declaration, symbol, scope, parent, path, null, null);
            return;
        }
        // A malformed loop is refused, as ARM refuses it, rather than deployed once as if it were not there.
        var copy = declaration["copy"] as JsonObject ?? throw TemplateException.Invalid("The template resource 'copy' must be an object.", $"{path}.copy");
        if (copy.Select(p => p.Key).FirstOrDefault(k => k is not ("name" or "count" or "mode" or "batchSize")) is { } member)
            throw TemplateException.Invalid($"The copy property '{member}' is not valid: a resource copy has 'name', 'count', 'mode' and 'batchSize'.", $"{path}.copy.{member}");
        var loop = V.AsString(copy["name"]) ?? symbol ?? throw TemplateException.Invalid("The resource copy loop needs a 'name'.", $"{path}.copy");
        var count = ExpressionEvaluator.CopyCount(copy["count"], scope, $"{path}.copy");
        var mode = copy.ContainsKey("mode") ? V.AsString(ExpressionEvaluator.EvaluateTree(copy["mode"], scope, $"{path}.copy.mode")) : "parallel";
        if (!string.Equals(mode, "serial", StringComparison.OrdinalIgnoreCase) && !string.Equals(mode, "parallel", StringComparison.OrdinalIgnoreCase))
            throw TemplateException.Invalid($"The copy mode '{mode}' is not valid: it must be 'serial' or 'parallel'.", $"{path}.copy.mode");
        var serial = string.Equals(mode, "serial", StringComparison.OrdinalIgnoreCase);
        long batchSize = serial ? 1 : count;
        if (copy.ContainsKey("batchSize"))
        {
            if (ExpressionEvaluator.EvaluateTree(copy["batchSize"], scope, $"{path}.copy.batchSize") is not { } given || !V.TryLong(given, out var size) || size < 1)
                throw TemplateException.Invalid("The copy 'batchSize' must be a positive integer.", $"{path}.copy.batchSize");
            batchSize = size;
        }
        var instances = new List<ResourceInstance>();
        for (var i = 0; i < count; i++)
            instances.Add(One(state, declaration, symbol, scope.WithCopyIndex(loop, i), parent, path, loop, i));
        if (!serial) return;
        for (var i = (int)batchSize; i < instances.Count; i++)
        {
            var previousBatch = i / (int)batchSize - 1;
            instances[i].ImplicitDependencies.AddRange(instances.Skip(previousBatch * (int)batchSize).Take((int)batchSize));
        }
    }

    private static ResourceInstance One(TemplateState state, JsonObject declaration, string? symbol, EvaluationScope scope,
        ResourceInstance? parent, string path, string? loop, int? index)
    {
        var plan = scope.WithReferences(false);
        string Text(string member) =>
            V.AsString(ExpressionEvaluator.EvaluateTree(declaration[member], plan, $"{path}.{member}"))
            ?? throw TemplateException.Invalid($"The template resource '{member}' must be a non-empty string.", $"{path}.{member}");
        var condition = !declaration.ContainsKey("condition") || Bool(ExpressionEvaluator.EvaluateTree(declaration["condition"], plan, $"{path}.condition"), $"{path}.condition");
        var (type, name) = (Text("type"), Text("name"));
        if (name.Length == 0) throw TemplateException.Invalid("The template resource name cannot be null or empty.", $"{path}.name");
        if (parent is not null && !type.Contains('.'))
            (type, name) = ($"{parent.Type}/{type}", $"{parent.Name}/{name}");
        var existing = declaration.ContainsKey("existing") && Bool(ExpressionEvaluator.EvaluateTree(declaration["existing"], plan, $"{path}.existing"), $"{path}.existing");
        var apiVersion = declaration.ContainsKey("apiVersion") ? Text("apiVersion")
            : throw TemplateException.Invalid($"The template resource '{name}' of type '{type}' has no 'apiVersion'.", path);
        string id;
        try { id = ResourceIds.Build(Scope(state, declaration, plan, type, path), type, name.Split('/')); }
        catch (TemplateException e) { throw e.At(path); }
        var instance = new ResourceInstance
        {
            SymbolicName = symbol is null ? id : index is null ? symbol : $"{symbol}[{index}]",
            Symbol = symbol, LoopName = loop, Type = type, Name = name, ResourceId = id, ApiVersion = apiVersion,
            Declaration = declaration, Scope = scope, Path = path, Condition = condition && (parent?.Condition ?? true), IsExisting = existing,
        };
        if (declaration.ContainsKey("dependsOn") && declaration["dependsOn"] is not JsonArray)
            throw TemplateException.Invalid("The template resource 'dependsOn' must be an array of resource names or ids.", $"{path}.dependsOn");
        if (declaration["dependsOn"] is JsonArray dependsOn)
            for (var i = 0; i < dependsOn.Count; i++)
                instance.DependsOn.Add(V.AsString(ExpressionEvaluator.EvaluateTree(dependsOn[i], plan, $"{path}.dependsOn[{i}]"))
                    ?? throw TemplateException.Invalid("Each dependsOn entry must be a string.", $"{path}.dependsOn[{i}]"));
        if (parent is not null) instance.ImplicitDependencies.Add(parent);
        state.Resources.All.Add(instance);
        if (declaration["resources"] is JsonArray children)
            for (var i = 0; i < children.Count; i++)
                Declaration(state, Object(children[i], $"{path}.resources[{i}]"), null, scope, instance, $"{path}.resources[{i}]");
        return instance;
    }

    /// <summary>The scope the resource's id hangs off: an extension's <c>scope</c>, a nested deployment's group, or the deployment's.</summary>
    private static string Scope(TemplateState state, JsonObject declaration, EvaluationScope plan, string type, string path)
    {
        var context = state.Context;
        if (declaration["scope"] is { } scopeNode)
        {
            var scope = V.AsString(ExpressionEvaluator.EvaluateTree(scopeNode, plan, $"{path}.scope"))
                ?? throw TemplateException.Invalid("The resource 'scope' must be a string.", $"{path}.scope");
            if (scope.Length == 0 || scope == "/") return ResourceIds.DeploymentScope(context);
            return state.Resources.Find(scope) is { } target && !scope.Contains('/') ? target.ResourceId : ResourceIds.ResolveScope(scope, context);
        }
        if (!declaration.ContainsKey("resourceGroup") && !declaration.ContainsKey("subscriptionId"))
            return ResourceIds.DeploymentScope(context);
        if (!type.Equals("Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase))
            throw TemplateException.Invalid("Only Microsoft.Resources/deployments resources may set 'resourceGroup' or 'subscriptionId'.", path);
        string? Member(string member) => declaration.ContainsKey(member)
            ? V.AsString(ExpressionEvaluator.EvaluateTree(declaration[member], plan, $"{path}.{member}")) : null;
        var subscription = Member("subscriptionId") ?? context.SubscriptionId;
        var group = Member("resourceGroup") ?? (subscription == context.SubscriptionId ? context.ResourceGroupName : null);
        return group is null ? ResourceIds.Subscription(subscription) : ResourceIds.ResourceGroup(subscription, group);
    }

    private static bool Bool(JsonNode? value, string path) => V.IsBool(value)
        ? V.AsBool(value!)
        : throw TemplateException.Invalid($"The value must be a boolean but is of type '{V.KindOf(value)}'.", path);
}
