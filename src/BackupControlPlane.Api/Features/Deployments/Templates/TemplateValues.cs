using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>
/// Template values are <see cref="JsonNode"/>s (null is JSON null). Integers are 64-bit as in ARM; property names are
/// looked up case-insensitively as ARM does; values are copied when placed into a new container.
/// </summary>
public static class TemplateValues
{
    public static string KindOf(JsonNode? node) => node switch
    {
        null => "Null",
        JsonObject => "Object",
        JsonArray => "Array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "String",
            JsonValueKind.True or JsonValueKind.False => "Boolean",
            JsonValueKind.Number => IsInteger(node) ? "Integer" : "Float",
            _ => "Null",
        },
    };

    public static bool IsString(JsonNode? node) => node is JsonValue && node.GetValueKind() == JsonValueKind.String;
    public static bool IsBool(JsonNode? node) => node is JsonValue && node.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
    public static bool IsNumber(JsonNode? node) => node is JsonValue && node.GetValueKind() == JsonValueKind.Number;
    public static bool IsInteger(JsonNode? node) => IsNumber(node) && TryLong(node!, out _);

    public static bool TryLong(JsonNode node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || node.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out value)) return true;
        if (v.TryGetValue(out int i)) { value = i; return true; }
        var d = Double(node);
        if (d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue) { value = (long)d; return true; }
        return false;
    }

    public static double Double(JsonNode node) =>
        double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string? AsString(JsonNode? node) => IsString(node) ? node!.GetValue<string>() : null;

    public static bool AsBool(JsonNode node) => node.GetValueKind() == JsonValueKind.True;

    /// <summary>A copy that can be placed in a new container (a JsonNode has one parent).</summary>
    public static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    public static JsonNode? Property(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact)) return exact;
        foreach (var (key, value) in obj)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    public static bool HasProperty(JsonObject obj, string name) =>
        obj.ContainsKey(name) || obj.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>ARM's equals(): deep, case-sensitive for strings, 1 equals 1.0.</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        if (IsNumber(a) && IsNumber(b)) return Double(a!) == Double(b!);
        return (a, b) switch
        {
            (null, null) => true,
            (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(p => y.TryGetPropertyValue(p.Key, out var other) && DeepEquals(p.Value, other)),
            (JsonArray x, JsonArray y) => x.Count == y.Count && x.Select((item, i) => DeepEquals(item, y[i])).All(e => e),
            (JsonValue, JsonValue) => JsonNode.DeepEquals(a, b),
            _ => false,
        };
    }

    /// <summary>string(): strings as they are, everything else as compact JSON.</summary>
    public static string ToText(JsonNode? node) => node switch
    {
        null => "",
        _ when IsString(node) => node.GetValue<string>(),
        _ when IsBool(node) => AsBool(node) ? "True" : "False",
        JsonValue => node.ToJsonString(),
        _ => node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
    };

    public static JsonNode Of(long value) => JsonValue.Create(value);
    public static JsonNode Of(string value) => JsonValue.Create(value);
    public static JsonNode Of(bool value) => JsonValue.Create(value);
    public static JsonNode Of(double value) => value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
    public static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.Select(Copy).ToArray());
}
