using System.Globalization;
using System.Text.Json.Nodes;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>Logical, comparison and numeric functions: if, and, or, not, equals, less*, greater*, bool, add … float.</summary>
internal static class LogicalNumericFunctions
{
    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("if", 3, 3, c => c.Boolean(0) ? c[1] : c[2]),
        F("and", 2, Many, c => V.Of(Enumerable.Range(0, c.Count).All(c.Boolean))),
        F("or", 2, Many, c => V.Of(Enumerable.Range(0, c.Count).Any(c.Boolean))),
        F("not", 1, 1, c => V.Of(!c.Boolean(0))),
        F("true", 0, 0, _ => V.Of(true)),
        F("false", 0, 0, _ => V.Of(false)),
        F("equals", 2, 2, c => V.Of(V.DeepEquals(c[0], c[1]))),
        F("less", 2, 2, c => V.Of(Compare(c) < 0)),
        F("lessOrEquals", 2, 2, c => V.Of(Compare(c) <= 0)),
        F("greater", 2, 2, c => V.Of(Compare(c) > 0)),
        F("greaterOrEquals", 2, 2, c => V.Of(Compare(c) >= 0)),
        F("bool", 1, 1, Bool),
        F("add", 2, 2, c => Arithmetic(c, (a, b) => checked(a + b))),
        F("sub", 2, 2, c => Arithmetic(c, (a, b) => checked(a - b))),
        F("mul", 2, 2, c => Arithmetic(c, (a, b) => checked(a * b))),
        F("div", 2, 2, c => Arithmetic(c, (a, b) => b == 0 ? throw c.Error("division by zero.") : a / b)),
        F("mod", 2, 2, c => Arithmetic(c, (a, b) => b == 0 ? throw c.Error("division by zero.") : a % b)),
        F("int", 1, 1, Int),
        F("float", 1, 1, Float),
    ];

    private static int Compare(FunctionCall c)
    {
        var (a, b) = (c[0], c[1]);
        if (V.IsNumber(a) && V.IsNumber(b)) return V.Double(a!).CompareTo(V.Double(b!));
        if (V.AsString(a) is { } x && V.AsString(b) is { } y) return string.CompareOrdinal(x, y);
        throw c.Error($"the arguments must both be integers or both be strings; they are of types '{V.KindOf(a)}' and '{V.KindOf(b)}'.");
    }

    private static JsonNode Bool(FunctionCall c) => c[0] switch
    {
        var b when V.IsBool(b) => b!,
        var s when V.AsString(s) is { } text => bool.TryParse(text, out var parsed) ? V.Of(parsed) : throw c.Error($"the string '{text}' is not a boolean."),
        var n when V.IsNumber(n) => V.Of(V.Double(n!) != 0),
        _ => throw c.TypeError(0, "String, Integer or Boolean"),
    };

    private static JsonNode Arithmetic(FunctionCall c, Func<long, long, long> op)
    {
        try { return V.Of(op(c.Integer(0), c.Integer(1))); }
        catch (OverflowException) { throw c.Error("the result is out of the 64-bit integer range."); }
    }

    private static JsonNode Int(FunctionCall c) => c[0] switch
    {
        var s when V.AsString(s) is { } text => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? V.Of(n) : throw c.Error($"the string '{text}' is not an integer."),
        var n when V.IsNumber(n) => V.Of((long)Math.Truncate(V.Double(n!))),
        var b when V.IsBool(b) => V.Of(V.AsBool(b!) ? 1L : 0L),
        _ => throw c.TypeError(0, "String or Integer"),
    };

    private static JsonNode Float(FunctionCall c) => c[0] switch
    {
        var s when V.AsString(s) is { } text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? JsonValue.Create(d) : throw c.Error($"the string '{text}' is not a number."),
        var n when V.IsNumber(n) => JsonValue.Create(V.Double(n!)),
        _ => throw c.TypeError(0, "String or Integer"),
    };
}
