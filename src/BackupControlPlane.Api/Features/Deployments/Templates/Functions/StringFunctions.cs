using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static BackupControlPlane.Api.Features.Deployments.Templates.FunctionLibrary;
using V = BackupControlPlane.Api.Features.Deployments.Templates.TemplateValues;

namespace BackupControlPlane.Api.Features.Deployments.Templates;

/// <summary>String functions. As in ARM, startsWith/endsWith/indexOf/lastIndexOf ignore case; replace and contains don't.</summary>
internal static partial class StringFunctions
{
    private const StringComparison IgnoreCase = StringComparison.OrdinalIgnoreCase;

    public static IEnumerable<FunctionDefinition> Definitions() =>
    [
        F("format", 1, Many, Format),
        F("toLower", 1, 1, c => V.Of(c.String(0).ToLowerInvariant())),
        F("toUpper", 1, 1, c => V.Of(c.String(0).ToUpperInvariant())),
        F("substring", 2, 3, Substring),
        F("replace", 3, 3, c => V.Of(c.String(0).Replace(c.String(1), c.String(2), StringComparison.Ordinal))),
        F("split", 2, 2, Split),
        F("join", 2, 2, c => V.Of(string.Join(c.String(1), c.Array(0).Select(V.ToText)))),
        F("trim", 1, 1, c => V.Of(c.String(0).Trim())),
        F("startsWith", 2, 2, c => V.Of(c.String(0).StartsWith(c.String(1), IgnoreCase))),
        F("endsWith", 2, 2, c => V.Of(c.String(0).EndsWith(c.String(1), IgnoreCase))),
        F("lastIndexOf", 2, 2, LastIndexOf),
        F("padLeft", 2, 3, PadLeft),
        F("string", 1, 1, c => V.Of(V.ToText(c[0]))),
        F("base64", 1, 1, c => V.Of(Convert.ToBase64String(Encoding.UTF8.GetBytes(c.String(0))))),
        F("base64ToString", 1, 1, c => V.Of(Encoding.UTF8.GetString(FromBase64(c, c.String(0))))),
        F("base64ToJson", 1, 1, c => ObjectFunctions.ParseJson(c, Encoding.UTF8.GetString(FromBase64(c, c.String(0))))),
        F("uri", 2, 2, Uri),
        F("uriComponent", 1, 1, c => V.Of(System.Uri.EscapeDataString(c.String(0)))),
        F("uriComponentToString", 1, 1, c => V.Of(System.Uri.UnescapeDataString(c.String(0)))),
        F("dataUri", 1, 1, c => V.Of("data:text/plain;charset=utf8;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(V.ToText(c[0]))))),
        F("dataUriToString", 1, 1, DataUriToString),
    ];

    /// <summary>format(): .NET composite formatting, as ARM: <c>{0}</c>, <c>{0:N2}</c>, <c>{{</c> for a brace.</summary>
    private static JsonNode Format(FunctionCall c)
    {
        var args = Enumerable.Range(1, c.Count - 1).Select(i => FormatArgument(c[i])).ToArray();
        try { return V.Of(string.Format(CultureInfo.InvariantCulture, c.String(0), args)); }
        catch (FormatException) { throw c.Error($"the format string '{c.String(0)}' is not valid or refers to a missing argument."); }
    }

    private static object FormatArgument(JsonNode? node) =>
        node is not null && V.TryLong(node, out var n) && V.IsNumber(node) ? n
        : V.IsNumber(node) ? V.Double(node!)
        : V.ToText(node);

    private static JsonNode Substring(FunctionCall c)
    {
        var text = c.String(0);
        var start = c.Integer(1);
        var length = c.Count > 2 ? c.Integer(2) : text.Length - start;
        if (start < 0 || start > text.Length)
            throw c.Error($"the index parameter '{start}' is out of range: it must be between 0 and the length of the string, {text.Length}.");
        if (length < 0 || start + length > text.Length)
            throw c.Error($"the length parameter '{length}' is out of range: the start index plus the length must be at most {text.Length}.");
        return V.Of(text.Substring((int)start, (int)length));
    }

    private static JsonNode Split(FunctionCall c)
    {
        var separators = c[1] is JsonArray array ? array.Select(V.ToText).ToArray() : [c.String(1)];
        return V.Array(c.String(0).Split(separators, StringSplitOptions.None).Select(s => (JsonNode?)V.Of(s)));
    }

    /// <summary>indexOf for strings (arrays are handled by ArrayFunctions).</summary>
    internal static JsonNode IndexOf(FunctionCall c) => V.Of((long)c.String(0).IndexOf(c.String(1), IgnoreCase));

    private static JsonNode LastIndexOf(FunctionCall c)
    {
        if (c[0] is JsonArray array)
        {
            for (var i = array.Count - 1; i >= 0; i--) if (V.DeepEquals(array[i], c[1])) return V.Of((long)i);
            return V.Of(-1L);
        }
        var (text, value) = (c.String(0), c.String(1));
        return V.Of((long)(value.Length == 0 ? text.Length - 1 : text.LastIndexOf(value, IgnoreCase)));
    }

    private static JsonNode PadLeft(FunctionCall c)
    {
        var pad = c.Count > 2 ? c.String(2) : " ";
        if (pad.Length != 1) throw c.Error("the padding character must be a single character.");
        return V.Of(V.ToText(c[0]).PadLeft((int)c.Integer(1), pad[0]));
    }

    private static JsonNode Uri(FunctionCall c)
    {
        if (!System.Uri.TryCreate(c.String(0), UriKind.Absolute, out var baseUri))
            throw c.Error($"the base URI '{c.String(0)}' is not an absolute URI.");
        return V.Of(new System.Uri(baseUri, c.String(1)).ToString());
    }

    private static JsonNode DataUriToString(FunctionCall c)
    {
        var match = DataUriPattern().Match(c.String(0));
        if (!match.Success) throw c.Error($"the value '{c.String(0)}' is not a data URI.");
        var data = match.Groups["data"].Value;
        return V.Of(match.Groups["b64"].Success ? Encoding.UTF8.GetString(FromBase64(c, data)) : System.Uri.UnescapeDataString(data));
    }

    private static byte[] FromBase64(FunctionCall c, string text)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { throw c.Error($"the value '{text}' is not valid base64."); }
    }

    [GeneratedRegex("^data:[^,;]*(;[^,;]*)*?(?<b64>;base64)?,(?<data>.*)$", RegexOptions.Singleline)]
    private static partial Regex DataUriPattern();
}
