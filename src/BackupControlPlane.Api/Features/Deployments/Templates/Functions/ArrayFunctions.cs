using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Array functions, and those that take strings, arrays or objects alike (concat, contains, length, first…).</summary>
internal static class ArrayFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("array", 1, 1, c => c[0] is JsonArray a ? a : new JsonArray(V.Copy(c[0]))),
        F("createArray", 0, Many, c => V.Array(c.All)),
        F("concat", 0, Many, Concat),
        F("contains", 2, 2, Contains),
        F("empty", 1, 1, c => V.Of(c[0] switch { null => true, JsonArray a => a.Count == 0, JsonObject o => o.Count == 0, var s => V.ToText(s).Length == 0 })),
        F("first", 1, 1, c => c[0] switch { JsonArray a => a.Count > 0 ? V.Copy(a[0]) : null, _ => Text(c) is { Length: > 0 } s ? V.Of(s[..1]) : V.Of("") }),
        F("last", 1, 1, c => c[0] switch { JsonArray a => a.Count > 0 ? V.Copy(a[^1]) : null, _ => Text(c) is { Length: > 0 } s ? V.Of(s[^1..]) : V.Of("") }),
        F("length", 1, 1, c => V.Of((long)(c[0] switch { JsonArray a => a.Count, JsonObject o => o.Count, _ => c.String(0).Length }))),
        F("indexOf", 2, 2, c => c[0] is JsonArray a ? V.Of((long)IndexIn(a, c[1])) : StringFunctions.IndexOf(c)),
        F("skip", 2, 2, c => c[0] is JsonArray a ? V.Array(a.Skip(Clamp(c, 1, a.Count))) : V.Of(new string(c.String(0).Skip(Clamp(c, 1, c.String(0).Length)).ToArray()))),
        F("take", 2, 2, c => c[0] is JsonArray a ? V.Array(a.Take(Clamp(c, 1, a.Count))) : V.Of(new string(c.String(0).Take(Clamp(c, 1, c.String(0).Length)).ToArray()))),
        F("range", 2, 2, Range),
        F("min", 1, Many, c => Extreme(c, smallest: true)),
        F("max", 1, Many, c => Extreme(c, smallest: false)),
        F("flatten", 1, 1, c => V.Array(c.Array(0).SelectMany(item => item as JsonArray ?? throw c.Error("every element must be an array.")))),
        F("tryIndexFromEnd", 2, 2, c => FromEnd(c, safe: true)),
        F("indexFromEnd", 2, 2, c => FromEnd(c, safe: false)),
    ];

    private static JsonNode? FromEnd(FunctionCall c, bool safe)
    {
        var (array, i) = (c.Array(0), c.Integer(1));
        if (i > 0 && i <= array.Count) return V.Copy(array[array.Count - (int)i]);
        return safe ? null : throw c.Error($"the index '{i}' is out of bounds.");
    }

    private static string Text(FunctionCall c) => c.String(0);

    private static int Clamp(FunctionCall c, int index, int max) => (int)Math.Clamp(c.Integer(index), 0, max);

    internal static int IndexIn(JsonArray array, JsonNode? value)
    {
        for (var i = 0; i < array.Count; i++) if (V.DeepEquals(array[i], value)) return i;
        return -1;
    }

    private static JsonNode Concat(FunctionCall c)
    {
        if (c.Count == 0) return V.Of("");
        if (c[0] is JsonArray)
            return V.Array(Enumerable.Range(0, c.Count).SelectMany(i => c[i] as JsonArray ?? throw c.TypeError(i, "Array")));
        return V.Of(string.Concat(c.All.Select(a => a is JsonArray or JsonObject ? throw c.Error("arrays and strings can't be mixed.") : V.ToText(a))));
    }

    private static JsonNode Contains(FunctionCall c) => V.Of(c[0] switch
    {
        JsonArray a => IndexIn(a, c[1]) >= 0,
        JsonObject o => V.HasProperty(o, c.String(1)),
        _ => c.String(0).Contains(V.ToText(c[1]), StringComparison.Ordinal),
    });

    private static JsonNode Range(FunctionCall c)
    {
        var (start, count) = (c.Integer(0), c.Integer(1));
        if (count < 0 || count > 10000) throw c.Error($"the count '{count}' must be between 0 and 10000.");
        return new JsonArray(Enumerable.Range(0, (int)count).Select(i => (JsonNode?)V.Of(start + i)).ToArray());
    }

    private static JsonNode? Extreme(FunctionCall c, bool smallest)
    {
        var values = c.Count == 1 && c[0] is JsonArray a ? a.ToList() : c.All.ToList();
        if (values.Count == 0) throw c.Error("the array must not be empty.");
        if (values.Any(v => !V.IsNumber(v))) throw c.Error("the values must be integers.");
        var ordered = values.OrderBy(v => V.Double(v!));
        return V.Copy(smallest ? ordered.First() : ordered.Last());
    }
}
