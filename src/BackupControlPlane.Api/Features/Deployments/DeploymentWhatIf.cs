using System.Text.Json.Nodes;
using BackupControlPlane.Api.Features.Deployments.Templates;

namespace BackupControlPlane.Api.Features.Deployments;

/// <summary>
/// What-if: each planned resource read through the pipeline and compared with the body the deployment would PUT.
/// Absent → Create; every property the template sets equal to what the resource has → NoChange; else Modify with a
/// delta per differing property (Create when the resource lacks it). Properties only the service sets (ids,
/// provisioningState, counters) are not the template's and never count. <c>existing</c> resources are Ignore, nested
/// deployments Unsupported (their changes are not expanded). Incremental mode deletes nothing, so there is no Delete.
/// </summary>
public sealed class DeploymentWhatIf
{
    public async Task<JsonObject> ChangesAsync(TemplatePlan plan, IResourceReader reader, bool idsOnly, CancellationToken ct)
    {
        var changes = new JsonArray();
        foreach (var resource in plan.Resources)
        {
            var change = new JsonObject { ["resourceId"] = resource.ResourceId };
            if (resource.IsExisting) { change["changeType"] = "Ignore"; changes.Add(change); continue; }
            if (resource.IsNestedDeployment)
            {
                change["changeType"] = "Unsupported";
                change["unsupportedReason"] = "The changes of nested deployments (modules) are not expanded by the emulator's what-if.";
                changes.Add(change);
                continue;
            }
            JsonObject after;
            try
            {
                after = await resource.EvaluateBodyAsync(ct);
            }
            catch (TemplateException e)
            {
                // A body that reads a resource this deployment has yet to create cannot be known before it runs.
                change["changeType"] = "Unsupported";
                change["unsupportedReason"] = $"The resource's body cannot be evaluated before the deployment runs: {e.Message}";
                changes.Add(change);
                continue;
            }
            var before = await reader.GetAsync(resource.ResourceId, resource.ApiVersion, ct);
            if (before is null)
            {
                change["changeType"] = "Create";
                change["after"] = after;
            }
            else
            {
                var delta = new JsonArray();
                Compare("", before, after, delta);
                change["changeType"] = delta.Count == 0 ? "NoChange" : "Modify";
                change["before"] = before.DeepClone();
                change["after"] = Merge((JsonObject)before.DeepClone(), after);
                if (delta.Count > 0) change["delta"] = delta;
            }
            // The payload as a GET would show it: ARM's id, the last segment of the name, the type.
            if (change["after"] is JsonObject shown)
            {
                shown["id"] = resource.ResourceId;
                shown["name"] = resource.Name.Split('/')[^1];
                shown["type"] = resource.Type;
            }
            if (idsOnly) foreach (var payload in new[] { "before", "after", "delta" }) change.Remove(payload);
            changes.Add(change);
        }
        return new JsonObject { ["status"] = "Succeeded", ["properties"] = new JsonObject { ["changes"] = changes } };
    }

    /// <summary>The template's members compared with the resource's, leaf by leaf (arrays as a whole).</summary>
    private static void Compare(string path, JsonNode? before, JsonNode? after, JsonArray delta)
    {
        if (after is JsonObject afterObject && before is JsonObject beforeObject)
        {
            foreach (var (key, value) in afterObject)
            {
                var existing = beforeObject.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
                var childPath = path.Length == 0 ? key : $"{path}.{key}";
                if (existing.Key is null)
                {
                    if (value is not null) delta.Add(new JsonObject { ["path"] = childPath, ["propertyChangeType"] = "Create", ["after"] = value.DeepClone() });
                }
                else Compare(childPath, existing.Value, value, delta);
            }
            return;
        }
        if (!Same(before, after))
            delta.Add(new JsonObject { ["path"] = path, ["propertyChangeType"] = "Modify", ["before"] = before?.DeepClone(), ["after"] = after?.DeepClone() });
    }

    /// <summary>Equal as ARM's what-if compares: strings case-insensitively for names and locations would be noise; values exactly, numbers by value.</summary>
    private static bool Same(JsonNode? a, JsonNode? b)
    {
        if (a is JsonValue va && b is JsonValue vb && va.TryGetValue<decimal>(out var da) && vb.TryGetValue<decimal>(out var db)) return da == db;
        if (a is JsonValue sa && b is JsonValue sb && sa.TryGetValue<string>(out var x) && sb.TryGetValue<string>(out var y))
            return x == y || (x.Replace(" ", "").Equals(y.Replace(" ", ""), StringComparison.OrdinalIgnoreCase) && x.Length < 64); // locations: "East US" = "eastus"
        return JsonNode.DeepEquals(a, b);
    }

    private static JsonObject Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
            target[key] = value is JsonObject o && target[key] is JsonObject t ? Merge(t, o) : value?.DeepClone();
        return target;
    }
}
