using System.Text.Json;
using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Object functions: createObject, json, null, objectKeys, items, union, intersection, shallowMerge, coalesce, tryGet.</summary>
internal static class ObjectFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("createObject", 0, Many, CreateObject),
        F("json", 1, 1, c => ParseJson(c, c.String(0))),
        F("null", 0, 0, _ => null),
        F("objectKeys", 1, 1, c => V.Array(c.Object(0).Select(p => (JsonNode?)V.Of(p.Key)))),
        F("items", 1, 1, Items),
        F("union", 1, Many, Union),
        F("intersection", 1, Many, Intersection),
        F("shallowMerge", 1, 1, c => Merge(c.Array(0).Select(o => o as JsonObject ?? throw c.Error("every element must be an object.")), deep: false)),
        F("coalesce", 1, Many, c => c.All.FirstOrDefault(v => v is not null)),
        F("tryGet", 2, Many, TryGet),
    ];

    internal static JsonNode? ParseJson(FunctionCall c, string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException e) { throw c.Error($"the value is not valid JSON: {e.Message}"); }
    }

    private static JsonObject CreateObject(FunctionCall c)
    {
        if (c.Count % 2 != 0) throw c.Error("the function requires an even number of arguments: key, value pairs.");
        var result = new JsonObject();
        for (var i = 0; i < c.Count; i += 2) result[c.String(i)] = V.Copy(c[i + 1]);
        return result;
    }

    private static JsonArray Items(FunctionCall c) => new(c.Object(0)
        .OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
        .Select(p => (JsonNode?)new JsonObject { ["key"] = p.Key, ["value"] = V.Copy(p.Value) })
        .ToArray());

    private static JsonNode Union(FunctionCall c)
    {
        if (c[0] is JsonObject)
            return Merge(Enumerable.Range(0, c.Count).Select(i => c.Object(i)), deep: true);
        var result = new JsonArray();
        for (var i = 0; i < c.Count; i++)
            foreach (var item in c.Array(i))
                if (ArrayFunctions.IndexIn(result, item) < 0) result.Add(V.Copy(item));
        return result;
    }

    private static JsonObject Merge(IEnumerable<JsonObject> objects, bool deep)
    {
        var result = new JsonObject();
        foreach (var obj in objects)
            foreach (var (key, value) in obj)
                result[key] = deep && result[key] is JsonObject existing && value is JsonObject next
                    ? Merge([existing, next], deep: true)
                    : V.Copy(value);
        return result;
    }

    private static JsonNode Intersection(FunctionCall c)
    {
        if (c[0] is JsonObject first)
        {
            var result = new JsonObject();
            foreach (var (key, value) in first)
                if (Enumerable.Range(1, c.Count - 1).All(i => c.Object(i).TryGetPropertyValue(key, out var other) && V.DeepEquals(value, other)))
                    result[key] = V.Copy(value);
            return result;
        }
        var items = c.Array(0).Where(item => Enumerable.Range(1, c.Count - 1).All(i => ArrayFunctions.IndexIn(c.Array(i), item) >= 0));
        var distinct = new JsonArray();
        foreach (var item in items) if (ArrayFunctions.IndexIn(distinct, item) < 0) distinct.Add(V.Copy(item));
        return distinct;
    }

    /// <summary>tryGet(value, key or index, …): null where a step is missing instead of an error.</summary>
    private static JsonNode? TryGet(FunctionCall c)
    {
        var current = c[0];
        for (var i = 1; i < c.Count && current is not null; i++)
        {
            var key = c[i];
            current = current switch
            {
                JsonObject o when V.AsString(key) is { } name => V.HasProperty(o, name) ? V.Property(o, name) : null,
                JsonArray a when key is not null && V.TryLong(key, out var n) => n >= 0 && n < a.Count ? a[(int)n] : null,
                _ => null,
            };
        }
        return V.Copy(current);
    }
}
